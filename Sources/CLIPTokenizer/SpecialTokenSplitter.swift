/// Finds CLIP's special tokens written literally in the raw input, before any normalization, as the
/// reference does for its added tokens: `<|startoftext|>` and `<|endoftext|>`, exactly so spelled
/// (`<|ENDOFTEXT|>` is ordinary text). The text between them is normalized and tokenized on its own.
enum SpecialTokenSplitter {
    enum SpecialToken {
        case start, end
    }

    enum Segment: Equatable {
        /// Ordinary text: a range of the input scalars.
        case text(Range<Int>)
        case special(SpecialToken)
    }

    static let startLiteral = Array("<|startoftext|>".unicodeScalars)
    static let endLiteral = Array("<|endoftext|>".unicodeScalars)

    /// The input cut into ordinary text and special tokens, in order; empty text segments are left out.
    static func segments(of scalars: [Unicode.Scalar]) -> [Segment] {
        var segments = [Segment]()
        var textStart = 0
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "<" else { index += 1; continue }
            let found: (SpecialToken, Int)?
            if hasLiteral(startLiteral, in: scalars, at: index) {
                found = (.start, startLiteral.count)
            } else if hasLiteral(endLiteral, in: scalars, at: index) {
                found = (.end, endLiteral.count)
            } else {
                found = nil
            }
            guard let (token, length) = found else { index += 1; continue }
            if textStart < index { segments.append(.text(textStart..<index)) }
            segments.append(.special(token))
            index += length
            textStart = index
        }
        if textStart < scalars.count { segments.append(.text(textStart..<scalars.count)) }
        return segments
    }

    /// True when `literal` occurs in `scalars` starting at `index`.
    static func hasLiteral(_ literal: [Unicode.Scalar], in scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + literal.count <= scalars.count else { return false }
        for offset in 0..<literal.count where scalars[index + offset] != literal[offset] { return false }
        return true
    }
}
