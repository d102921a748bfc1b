/// Strict UTF-8 validation (Unicode Table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF —
/// the rules of Swift's own `UTF8` decoder. Readers use it on files they must refuse unless they are UTF-8:
/// safetensors headers (SafeTensors), the tokenizer's vocab.json and merges.txt (CLIPTokenizer).
///
/// Works on borrowed bytes and keeps no pointer to them.
public enum UTF8Validation {
    /// The offset of the first byte that starts an ill-formed sequence, or nil when all of `bytes` is valid.
    public static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        var i = 0
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            let length: Int
            var secondLow: UInt8 = 0x80, secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondHigh = 0x9F
            case 0xF0: length = 4; secondLow = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondHigh = 0x8F
            default: return i
            }
            guard i + length <= count else { return i }
            let second = bytes[i + 1]
            guard second >= secondLow, second <= secondHigh else { return i }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// The 1-based line (lines end at `\n`) holding the first ill-formed sequence, or nil when all of `bytes`
    /// is valid. Everything before that sequence is valid UTF-8, where the byte 0x0A is always a newline.
    public static func firstInvalidLine(in bytes: [UInt8]) -> Int? {
        guard let offset = bytes.withUnsafeBytes({ firstInvalidOffset($0) }) else { return nil }
        return 1 + bytes[..<offset].count { $0 == UInt8(ascii: "\n") }
    }
}
