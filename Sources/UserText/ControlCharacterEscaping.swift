/// How a message quotes text it did not write (a prompt, a file name, a tensor name, a token): the control
/// characters and line separators (`Unicode.Scalar.isControlOrLineSeparator`) are spelled as escapes, so the
/// message stays one printable line and cannot drive the terminal it is printed on.
///
/// Two spellings exist side by side because each is already part of what users and tests see, byte for
/// byte: the command line's own messages use Swift's escapes (`escapingControlCharacters`); the libraries'
/// errors use code points (`escapingControlCharactersAsCodePoints`, `quotedForMessage`). Neither can be
/// written through the other without changing bytes (`\0` against `\u{0}`, `\u{1B}` against `\u{1b}`,
/// `\u{0085}` against `\u{85}`). They escape the same characters. JSON output has its own rules:
/// `jsonStringLiteral`.
extension StringProtocol {
    /// The text with control characters and line separators spelled as Swift escapes (`\0`, `\t`, `\n`,
    /// `\u{1B}`, `\u{0085}`, `\u{2028}`: `Unicode.Scalar.escaped(asASCII:)`), everything else unchanged
    /// (quotes included). For the command line's messages: a `--control` line, a prompt, a file name.
    public var escapingControlCharacters: String {
        replacingScalars { $0.isControlOrLineSeparator ? $0.escaped(asASCII: true) : nil }
    }

    /// The text with control characters and line separators spelled as code points (`\u{a}`, `\u{1b}`,
    /// `\u{85}`: lower-case hex, unpadded), everything else unchanged. For library errors that quote a name
    /// read from a file (SafeTensors: a tensor name from a hostile header).
    public var escapingControlCharactersAsCodePoints: String {
        replacingScalars { $0.isControlOrLineSeparator ? $0.codePointEscape : nil }
    }

    /// The text in double quotes, with `"` and `\` escaped by a backslash, `\n`, `\r` and `\t` by name, the
    /// other control characters and line separators as code points (`\u{1b}`, `\u{85}`, `\u{2028}`), and
    /// everything else unchanged. For library errors that quote a token or a line of a file (CLIPTokenizer).
    public var quotedForMessage: String {
        "\"" + replacingScalars { $0.backslashEscape ?? ($0.isControlOrLineSeparator ? $0.codePointEscape : nil) } + "\""
    }
}
