import MediaIO
import UserText
#if canImport(Glibc)
import Glibc
#endif

/// Lines on standard error, written at once (never buffered behind progress lines).
enum StandardError {
    /// Writes `line` (one or more lines) and a final newline. Control characters inside each line — from a
    /// file name, a prompt, a camera's driver string — are spelled as escapes (`\u{1B}`), so nothing a user
    /// or a file supplied can drive the terminal.
    static func write(_ line: String) {
        var body = Substring(line)
        var end = "\n"
        if body.hasSuffix("\n") {
            body = body.dropLast()
        } else if body.hasSuffix("\r") {
            body = body.dropLast()
            end = "\r"
        }
        let text = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map(\.escapingControlCharacters).joined(separator: "\n") + end
        writeRaw(text)
    }

    /// One line shown whole, credentials included: only for a secret the run made for the user to use (the
    /// preview's address with its token), never for anything a user or a file supplied.
    static func writeWithoutRedaction(_ line: String) {
        let text = line.escapingControlCharacters + "\n"
        _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Text as it is, without adding a newline (progress redraws, which hold no user text unescaped), with
    /// credentials hidden (`CredentialRedaction`: a URL's password, secret `--input-option` values).
    static func writeRaw(_ text: String) {
        _ = CredentialRedaction.redact(text).withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
