extension StringProtocol {
    /// The text with control characters (NUL, escape, tab, line breaks, …) spelled as Swift escapes (`\0`,
    /// `\u{1B}`, `\t`), other characters unchanged: a message quoting what a user typed (a `--control` line,
    /// a prompt) stays one printable line and cannot drive the terminal it is printed on.
    public var escapingControlCharacters: String {
        var text = ""
        for scalar in unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                text += scalar.escaped(asASCII: true)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
