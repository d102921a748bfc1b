import UserText

/// Reads vocab.json: one JSON object mapping each token (spelled in byte-level scalars) to its integer id,
/// e.g. `{"!": 0, ..., "<|endoftext|>": 49407}`.
///
/// A small strict parser rather than a general JSON decoder, so that tokens stay byte-exact (Swift `String`
/// equality would merge canonically equivalent spellings) and every error can name its line.
/// Rejects: invalid UTF-8, anything but an object of string → integer, negative or non-integer ids,
/// ids beyond `Int32.max`, a token listed twice, and two tokens sharing one id.
struct VocabularyFileParser {
    private let bytes: [UInt8]
    private let path: String
    private var index = 0
    private var line = 1

    /// Parses `bytes` (the contents of the file at `path`, which is used in error messages).
    static func parse(_ bytes: [UInt8], path: String) throws -> [[UInt8]: Int32] {
        if let badLine = UTF8Validation.firstInvalidLine(in: bytes) {
            throw CLIPTokenizerError.malformedVocabulary(path: path, line: badLine, reason: "not valid UTF-8")
        }
        var parser = VocabularyFileParser(bytes: bytes, path: path)
        return try parser.parseObject()
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private mutating func parseObject() throws -> [[UInt8]: Int32] {
        var tokens = [[UInt8]: Int32]()
        var tokenByID = [Int32: [UInt8]]()
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "expected '{' opening a JSON object of token → id")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                let tokenLine = line
                let token = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "expected ':' after the token \(quoted(token))")
                skipWhitespace()
                let id = try parseID(for: token)
                if tokens[token] != nil {
                    throw failure("the token \(quoted(token)) is listed twice", line: tokenLine)
                }
                if let other = tokenByID[id] {
                    throw failure("id \(id) is used by both \(quoted(other)) and \(quoted(token))", line: tokenLine)
                }
                tokens[token] = id
                tokenByID[id] = token
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"), "expected ',' or '}' after the id of \(quoted(token))")
                break
            }
        }
        skipWhitespace()
        if index < bytes.count { throw failure("unexpected text after the closing '}'") }
        return tokens
    }

    /// A JSON string, decoded to UTF-8 bytes.
    private mutating func parseString() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""), "expected a token in double quotes")
        var result = [UInt8]()
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return result
            case UInt8(ascii: "\\"):
                try parseEscape(into: &result)
            case 0..<0x20:
                throw failure("control character U+\(hex4(UInt32(byte))) inside a string (JSON needs an escape)")
            default:
                result.append(byte)
            }
        }
    }

    private mutating func parseEscape(into result: inout [UInt8]) throws {
        guard let byte = peek() else { throw failure("unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): result.append(byte)
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "u"):
            var value = try parseHex4()
            if (0xD800..<0xDC00).contains(value) {
                guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate \\u\(hex4(value)) in a string")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw failure("unpaired surrogate \\u\(hex4(value)) in a string")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(value) {
                throw failure("unpaired surrogate \\u\(hex4(value)) in a string")
            }
            // Surrogates were excluded above, so the value is always a valid scalar.
            if let scalar = Unicode.Scalar(value) { result.append(contentsOf: String(scalar).utf8) }
        default:
            // Printable ASCII as is; any other byte by value, so the message stays on one line.
            let shown = (0x21...0x7E).contains(byte) ? "\\\(Character(Unicode.Scalar(byte)))"
                : "'\\' followed by byte 0x\(String(hex4(UInt32(byte)).suffix(2)))"
            throw failure("invalid escape \(shown) in a string")
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = hexDigitValue(byte) else {
                throw failure("\\u must be followed by four hex digits")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseID(for token: [UInt8]) throws -> Int32 {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        let digits = bytes[start..<index]
        let next = peek()
        let isFraction = next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E")
        guard !digits.isEmpty, digits != [UInt8(ascii: "-")], !isFraction else {
            throw failure("the id of \(quoted(token)) is not an integer")
        }
        let text = String(decoding: digits, as: UTF8.self)
        guard digits.first != UInt8(ascii: "-") else {
            throw failure("the id of \(quoted(token)) is negative (\(text))")
        }
        guard let id = Int32(text) else {
            throw failure("the id of \(quoted(token)) is out of range (\(text))")
        }
        return id
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            default: return
            }
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws {
        guard peek() == byte else {
            throw failure(peek() == nil ? "\(message), found the end of the file" : message)
        }
        index += 1
    }

    private func failure(_ reason: String, line: Int? = nil) -> CLIPTokenizerError {
        .malformedVocabulary(path: path, line: line ?? self.line, reason: reason)
    }
}

private func hexDigitValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
}

private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
