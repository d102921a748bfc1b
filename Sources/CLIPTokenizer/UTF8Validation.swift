/// Checks that file contents are valid UTF-8, as the reference tokenizer requires of vocab.json and merges.txt.
enum UTF8Validation {
    /// The 1-based line holding the first invalid UTF-8 sequence, or nil when all of `bytes` is valid.
    static func firstInvalidLine(in bytes: [UInt8]) -> Int? {
        var line = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1 }
            case .emptyInput:
                return nil
            case .error:
                return line
            }
        }
    }
}
