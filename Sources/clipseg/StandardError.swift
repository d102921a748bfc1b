#if canImport(Glibc)
import Glibc
#endif

/// Lines on standard error, written at once (never buffered behind progress lines).
enum StandardError {
    static func write(_ line: String) {
        let text = line.hasSuffix("\n") || line.hasSuffix("\r") ? line : line + "\n"
        _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Text without adding a newline (progress redraws).
    static func writeRaw(_ text: String) {
        _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
