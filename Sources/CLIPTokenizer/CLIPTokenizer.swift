import Foundation

/// CLIP's byte-level BPE tokenizer, giving the same ids as transformers' `CLIPTokenizer` (what
/// `CLIPSegProcessor` loads) called with `truncation=True`:
/// NFC, whitespace runs → one space, lower case; CLIP's pre-tokenizer regex; UTF-8 bytes spelled in the
/// byte-level alphabet; BPE with `</w>` marking each word's end; `<|startoftext|>` … `<|endoftext|>` around
/// the result; truncation to `maxLength` ids keeping the end token; no padding.
///
/// Immutable and cheap to copy; copies share a thread-safe memo of encoded words, so `encode` may be called
/// from any thread.
public struct CLIPTokenizer: Sendable {
    /// The id of `<|startoftext|>` (49406 for CLIP).
    public let startTokenID: Int32
    /// The id of `<|endoftext|>` (49407 for CLIP); also what CLIPSeg pads with.
    public let endTokenID: Int32
    /// The most ids `encode` returns, start and end tokens included (77 for CLIP).
    public let maxLength: Int
    /// The number of entries in vocab.json (49408 for CLIP).
    public let vocabularyCount: Int

    /// Token id of each byte's byte-level symbol, inside a word and at its end (`</w>` form).
    private let byteIDs: [Int32]
    private let byteEndIDs: [Int32]
    private let merges: MergeTable
    private let cache = BytePairCache()

    /// Loads vocab.json and merges.txt. Throws `CLIPTokenizerError` naming the file (and line) when a file
    /// is missing, unreadable or malformed, or when `maxLength` is below 2.
    public init(vocabularyFile: URL, mergesFile: URL, maxLength: Int = 77) throws {
        guard maxLength >= 2 else { throw CLIPTokenizerError.invalidMaxLength(maxLength) }
        let vocabularyPath = vocabularyFile.path
        let mergesPath = mergesFile.path
        let vocabulary = try VocabularyFileParser.parse(try readFile(vocabularyFile), path: vocabularyPath)
        let rules = try MergesFileParser.parse(try readFile(mergesFile), path: mergesPath)

        func id(of token: [UInt8]) throws -> Int32 {
            guard let id = vocabulary[token] else {
                throw CLIPTokenizerError.missingToken(path: vocabularyPath, token: String(decoding: token, as: UTF8.self))
            }
            return id
        }
        startTokenID = try id(of: Array("<|startoftext|>".utf8))
        endTokenID = try id(of: Array("<|endoftext|>".utf8))
        let wordEnd = Array("</w>".utf8)
        byteIDs = try (0...255).map { try id(of: ByteLevelAlphabet.utf8Spelling(of: UInt8($0))) }
        byteEndIDs = try (0...255).map { try id(of: ByteLevelAlphabet.utf8Spelling(of: UInt8($0)) + wordEnd) }
        merges = try MergeTable(rules: rules, vocabulary: vocabulary, path: mergesPath, vocabularyPath: vocabularyPath)
        vocabularyCount = vocabulary.count
        self.maxLength = maxLength
    }

    /// Reads vocab.json, merges.txt and (if present) tokenizer_config.json's model_max_length from a model folder.
    public init(directory: URL) throws {
        let folder = TokenizerFolder(directory)
        try self.init(vocabularyFile: try folder.existingFile(TokenizerFolder.vocabularyFileName),
                      mergesFile: try folder.existingFile(TokenizerFolder.mergesFileName),
                      maxLength: try folder.modelMaxLength() ?? 77)
    }

    /// Token ids with start and end tokens, truncated to maxLength (end token kept), no padding.
    /// Any string is accepted; the empty string gives `[startTokenID, endTokenID]`.
    public func encode(_ text: String) -> [Int32] {
        var ids = startAndContent(text, contentLimit: maxLength - 2)
        ids.append(endTokenID)
        return ids
    }

    /// `encode(text)` and `truncates(text)` from one pass over the text: the ids (start and end tokens
    /// included, at most `maxLength`) and whether words past the limit were dropped.
    public func encodeNotingTruncation(_ text: String) -> (ids: [Int32], truncated: Bool) {
        var ids = startAndContent(text, contentLimit: maxLength - 1)
        let truncated = ids.count - 1 > maxLength - 2
        if truncated { ids.removeLast(ids.count - 1 - (maxLength - 2)) }
        ids.append(endTokenID)
        return (ids, truncated)
    }

    /// True when `encode(text)` cuts the text short: its whole encoding needs more than `maxLength` ids
    /// (start and end tokens included), so the words past the limit do not reach the model. Tokenizes at
    /// most one token past the limit, however long the text.
    public func truncates(_ text: String) -> Bool {
        startAndContent(text, contentLimit: maxLength - 1).count - 1 > maxLength - 2
    }

    /// The start token and at most `contentLimit` content ids (no end token).
    private func startAndContent(_ text: String, contentLimit: Int) -> [Int32] {
        var ids: [Int32] = [startTokenID]
        ids.reserveCapacity(min(contentLimit + 2, 2 + text.utf8.count))
        let scalars = Array(text.unicodeScalars)
        segments: for segment in SpecialTokenSplitter.segments(of: scalars) {
            if ids.count - 1 >= contentLimit { break }
            switch segment {
            case .special(.start):
                ids.append(startTokenID)
            case .special(.end):
                ids.append(endTokenID)
            case .text(let range):
                let normalized = TextNormalizer.normalize(scalars[range])
                for word in PreTokenizer.words(of: normalized) {
                    ids.append(contentsOf: encodeWord(normalized[word]))
                    if ids.count - 1 >= contentLimit { break segments }
                }
            }
        }
        if ids.count - 1 > contentLimit { ids.removeLast(ids.count - 1 - contentLimit) }
        return ids
    }

    /// BPE ids of one pre-tokenized word.
    private func encodeWord(_ word: ArraySlice<Unicode.Scalar>) -> [Int32] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(word.count)
        for scalar in word { appendUTF8(scalar, to: &bytes) }
        if let cached = cache.ids(for: bytes) { return cached }
        var symbols = bytes.map { byteIDs[Int($0)] }
        symbols[symbols.count - 1] = byteEndIDs[Int(bytes[bytes.count - 1])]
        let ids = BytePairMerger.merge(symbols, table: merges)
        cache.store(ids, for: bytes)
        return ids
    }
}

/// Appends the UTF-8 encoding of `scalar`.
@inline(__always)
private func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    let value = scalar.value
    switch value {
    case 0..<0x80:
        bytes.append(UInt8(value))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | value >> 6))
        bytes.append(UInt8(0x80 | value & 0x3F))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | value >> 12))
        bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | value & 0x3F))
    default:
        bytes.append(UInt8(0xF0 | value >> 18))
        bytes.append(UInt8(0x80 | value >> 12 & 0x3F))
        bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
        bytes.append(UInt8(0x80 | value & 0x3F))
    }
}

/// The whole file at `url`, or `missingFile` / `unreadableFile`.
func readFile(_ url: URL) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw CLIPTokenizerError.missingFile(path: url.path)
    }
    if isDirectory.boolValue { throw CLIPTokenizerError.unreadableFile(path: url.path, reason: "it is a folder") }
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw CLIPTokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
    }
}
