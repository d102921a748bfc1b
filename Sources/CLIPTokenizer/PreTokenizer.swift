/// CLIP's pre-tokenizer: cuts normalized text into the words that BPE encodes separately.
///
/// The reference keeps the matches of
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// (alternatives tried in order at each position, whitespace between matches dropped), then its byte-level
/// step splits each match again with GPT-2's regex. That second split changes only the special-token
/// spellings, which become three words: `<|`, `startoftext` or `endoftext`, and `|>`.
/// (Special tokens written exactly so in the raw input never get here; see `SpecialTokenSplitter`.)
enum PreTokenizer {
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map {
        Array($0.unicodeScalars)
    }

    /// The words of `text` (already normalized), as ranges of `text`, in order.
    static func words(of text: [Unicode.Scalar]) -> [Range<Int>] {
        var words = [Range<Int>]()
        var index = 0
        let count = text.count
        while index < count {
            let scalar = text[index]
            let kind = ScalarClass(scalar)
            if kind == .whitespace { index += 1; continue }
            if scalar == "<" {
                var literalLength = 0
                for literal in [SpecialTokenSplitter.startLiteral, SpecialTokenSplitter.endLiteral]
                where SpecialTokenSplitter.hasLiteral(literal, in: text, at: index) {
                    literalLength = literal.count
                    break
                }
                if literalLength > 0 {
                    words.append(index..<(index + 2))
                    words.append((index + 2)..<(index + literalLength - 2))
                    words.append((index + literalLength - 2)..<(index + literalLength))
                    index += literalLength
                    continue
                }
            }
            if scalar == "'", let length = contractionLength(in: text, at: index) {
                words.append(index..<(index + length))
                index += length
                continue
            }
            var end = index + 1
            switch kind {
            case .letter:
                while end < count, ScalarClass(text[end]) == .letter { end += 1 }
            case .number:
                break
            case .other, .whitespace:
                while end < count, ScalarClass(text[end]) == .other { end += 1 }
            }
            words.append(index..<end)
            index = end
        }
        return words
    }

    /// The length of `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll` or `'d` (first that fits) starting at `index`.
    private static func contractionLength(in text: [Unicode.Scalar], at index: Int) -> Int? {
        for suffix in contractions where index + suffix.count < text.count {
            var matches = true
            for offset in 0..<suffix.count where text[index + 1 + offset] != suffix[offset] {
                matches = false
                break
            }
            if matches { return suffix.count + 1 }
        }
        return nil
    }
}
