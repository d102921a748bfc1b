import Foundation
import Synchronization

/// Keeps credentials out of everything printed: the one function every message, warning, progress line
/// and captured FFmpeg log line about an input goes through.
///
/// `redact(_:)` rewrites any `scheme://user:password@host…` in a text as `scheme://user:***@host…`,
/// replaces the values of URL query parameters named like secrets (`?token=…`, `&password=…`) with `***`,
/// and replaces every secret registered with `register(secret:)` (an input option's password or token, a
/// URL's password also where FFmpeg echoes it decoded) wherever it appears. Process-wide, thread-safe.
public enum CredentialRedaction {
    /// What a hidden value is shown as.
    public static let mask = "***"

    /// Secrets shorter than this are not searched for as plain text (a one-letter password would blank out
    /// every such letter); they are still hidden inside URLs.
    static let shortestSearchedSecret = 3

    private static let secrets = Mutex<Set<String>>([])

    /// True for option or query keys that name a credential (`password`, `passwd`, `token`, `key`,
    /// `secret`, `auth…`), case-insensitively.
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["pass", "pwd", "token", "key", "secret", "auth", "credential", "signature"].contains { lowered.contains($0) }
    }

    /// Adds `secret` to the values hidden wherever they appear (with its percent-decoded form).
    public static func register(secret: String) {
        var forms = [secret]
        if let decoded = secret.removingPercentEncoding, decoded != secret { forms.append(decoded) }
        secrets.withLock { set in
            for form in forms where form.count >= shortestSearchedSecret { set.insert(form) }
        }
    }

    /// Registers the password of every `scheme://user:password@` URL in `text` (and the Basic
    /// authorization FFmpeg would send for it), so that FFmpeg's own messages cannot show it either.
    public static func registerCredentials(in text: String) {
        for credential in userInfos(in: text) {
            guard let colon = credential.firstIndex(of: ":") else { continue }
            let password = String(credential[credential.index(after: colon)...])
            register(secret: password)
            let user = credential[..<colon].removingPercentEncoding ?? String(credential[..<colon])
            let plain = (password.removingPercentEncoding ?? password)
            register(secret: Data("\(user):\(plain)".utf8).base64EncodedString())
        }
    }

    /// `text` with every credential hidden (see the type's description).
    public static func redact(_ text: String) -> String {
        var result = redactURLs(in: text)
        let known = secrets.withLock { $0 }
        // Longest first, so that a secret containing another is hidden whole.
        for secret in known.sorted(by: { $0.count > $1.count }) where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        return result
    }

    /// The user-info parts (`user:password`) of the URLs in `text`.
    private static func userInfos(in text: String) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        while let marker = rest.range(of: "://") {
            let authority = rest[marker.upperBound...].prefix { !"/?# \t\n\"'<>".contains($0) }
            if let at = authority.lastIndex(of: "@") { found.append(authority[..<at]) }
            rest = rest[marker.upperBound...]
        }
        return found
    }

    /// Hides passwords in the user-info of URLs and secret-named values in their queries.
    private static func redactURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var output = ""
        var rest = text[...]
        while let marker = rest.range(of: "://") {
            output += rest[..<marker.upperBound]
            let tail = rest[marker.upperBound...]
            let authority = tail.prefix { !"/?# \t\n\"'<>".contains($0) }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[...colon] + mask + authority[at...]
            } else {
                output += authority
            }
            let path = tail[authority.endIndex...].prefix { !" \t\n\"'<>".contains($0) }
            output += redactSecretParameters(in: String(path))
            rest = tail[path.endIndex...]
        }
        output += rest
        return output
    }

    /// `/live?user=a&token=XYZ` → `/live?user=a&token=***`: values of secret-named `key=value` pairs that
    /// follow `?`, `&` or `;` in a URL's path and query.
    private static func redactSecretParameters(in text: String) -> String {
        guard text.contains("=") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            output.append(character)
            index = text.index(after: index)
            guard "?&;".contains(character) else { continue }
            let key = text[index...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            guard !key.isEmpty, key.endIndex < text.endIndex, text[key.endIndex] == "=", isSecretKey(String(key)) else { continue }
            output += key + "=" + mask
            index = text[text.index(after: key.endIndex)...].firstIndex { "&;# \t\n\"'".contains($0) } ?? text.endIndex
        }
        return output
    }
}
