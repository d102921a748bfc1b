/// How the tokenizer-files target reads one input: the first byte picks what the rest is.
///
/// - `v`: all of it is vocab.json (`VocabularyFileParser` alone);
/// - `m`: all of it is merges.txt (`MergesFileParser` alone);
/// - anything else: vocab.json up to the first NUL byte, merges.txt after it (no NUL: an empty
///   merges.txt), loaded together by `CLIPTokenizer(vocabularyFile:mergesFile:maxLength:)`.
enum TokenizerFileInput {
    case vocabulary(UnsafeRawBufferPointer)
    case merges(UnsafeRawBufferPointer)
    case both(vocabulary: UnsafeRawBufferPointer, merges: UnsafeRawBufferPointer)

    static let vocabularyTag = UInt8(ascii: "v")
    static let mergesTag = UInt8(ascii: "m")
    static let bothTag = UInt8(ascii: "b")

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let tag = bytes.first else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[1...])
        switch tag {
        case Self.vocabularyTag: self = .vocabulary(rest)
        case Self.mergesTag: self = .merges(rest)
        default:
            let split = rest.firstIndex(of: 0) ?? rest.endIndex
            self = .both(vocabulary: UnsafeRawBufferPointer(rebasing: rest[..<split]),
                         merges: UnsafeRawBufferPointer(rebasing: rest[Swift.min(split + 1, rest.endIndex)...]))
        }
    }

    /// A `both` input: tag, vocab.json, NUL, merges.txt.
    static func encode(vocabulary: [UInt8], merges: [UInt8]) -> [UInt8] {
        [bothTag] + vocabulary + [0] + merges
    }
}
