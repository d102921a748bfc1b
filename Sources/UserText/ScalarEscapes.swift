/// The pieces every escaping in this module is built from: one walk over the text's scalars and the
/// spellings of single characters. Each spelling is part of some output's exact bytes (see the callers).
extension StringProtocol {
    /// The text with every scalar for which `replacement` returns a string replaced by that string, the
    /// others kept as they are.
    func replacingScalars(_ replacement: (Unicode.Scalar) -> String?) -> String {
        var text = ""
        for scalar in unicodeScalars {
            if let spelled = replacement(scalar) {
                text += spelled
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}

extension Unicode.Scalar {
    /// True for the characters a one-line message must not print as they are: the control characters
    /// (Unicode category Cc: NUL … U+001F, DEL … U+009F) and the line and paragraph separators U+2028 and
    /// U+2029.
    public var isControlOrLineSeparator: Bool {
        properties.generalCategory == .control || self == "\u{2028}" || self == "\u{2029}"
    }

    /// The backslash escapes JSON and Swift spell alike: `\"`, `\\`, `\n`, `\r`, `\t`; nil for any other scalar.
    var backslashEscape: String? {
        switch self {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return nil
        }
    }

    /// `\u{…}` with the code point in lower-case hex, unpadded (`\u{0}`, `\u{a}`, `\u{1b}`, `\u{85}`).
    var codePointEscape: String { "\\u{\(String(value, radix: 16))}" }

    /// JSON's `\uXXXX`: four lower-case hex digits (`\u0001`, `\u001b`); for scalars up to U+FFFF.
    var jsonUnicodeEscape: String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
