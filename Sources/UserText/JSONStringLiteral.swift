extension StringProtocol {
    /// The text as a JSON string literal (RFC 8259), quotes included: `"` and `\` escaped by a backslash,
    /// `\n`, `\r` and `\t` by name, the other C0 control characters as `\u00XX` (lower-case hex); everything
    /// else as it is (DEL, C1 controls and all non-ASCII characters included: the output is UTF-8).
    ///
    /// The one JSON string escaper: the `--stats` NDJSON lines (MaskRender's `FrameStatistics`) and
    /// safetensors headers (SafeTensors' `SafeTensorsWriter`) are written with it; their tests pin its bytes.
    public var jsonStringLiteral: String {
        "\"" + replacingScalars { $0.backslashEscape ?? ($0.value < 0x20 ? $0.jsonUnicodeEscape : nil) } + "\""
    }
}
