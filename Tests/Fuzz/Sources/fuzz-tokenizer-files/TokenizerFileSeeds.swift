import Foundation
import FuzzSupport
@testable import CLIPTokenizer

/// Seeds cut from the sample model's real files (Samples/models/shapes): a small but complete
/// vocabulary — the 256 byte symbols, their `</w>` forms, the joined tokens of the first merges and the
/// two special tokens, ids numbered as CLIP numbers them — with those merges; the same files alone
/// (`v…`, `m…`); and variants the writer of those files never produces (CRLF lines, escapes, no
/// `#version` line, ids out of order).
enum TokenizerFileSeeds {
    static let mergeCount = 300

    static func all() throws -> [Seed] {
        let realMerges = RepositoryPaths.contents(of: RepositoryPaths.sampleTokenizer.appendingPathComponent("merges.txt"))
        let rules = try MergesFileParser.parse(realMerges, path: "merges.txt").prefix(mergeCount)
        let mergesText = Array("#version: 0.2\n".utf8) + rules.flatMap { $0.left + [UInt8(ascii: " ")] + $0.right + [UInt8(ascii: "\n")] }

        var tokens: [[UInt8]] = (0...255).map { ByteLevelAlphabet.utf8Spelling(of: UInt8($0)) }
        tokens += tokens.map { $0 + Array("</w>".utf8) }
        var known = Set(tokens)
        for rule in rules where known.insert(rule.left + rule.right).inserted { tokens.append(rule.left + rule.right) }
        tokens += [Array("<|startoftext|>".utf8), Array("<|endoftext|>".utf8)]
        let vocabulary = jsonObject(tokens.enumerated().map { ($0.element, $0.offset) })

        var seeds = [
            Seed("both-clip-small", TokenizerFileInput.encode(vocabulary: vocabulary, merges: mergesText)),
            Seed("vocab-clip-small", [TokenizerFileInput.vocabularyTag] + vocabulary),
            Seed("merges-clip-small", [TokenizerFileInput.mergesTag] + mergesText),
        ]
        // CRLF merges without a #version line, and the vocabulary pretty-printed in reverse id order with escapes.
        let crlf = Array(String(decoding: mergesText.dropFirst(14), as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let reversed = jsonObject(tokens.enumerated().reversed().map { ($0.element, $0.offset) }, pretty: true)
        seeds.append(Seed("both-crlf-reversed", TokenizerFileInput.encode(vocabulary: reversed, merges: crlf)))
        seeds.append(Seed("vocab-escapes", [TokenizerFileInput.vocabularyTag]
            + Array(#"{"\u0041\n": 0, "\ud83d\ude00": 1, "\/\b\f\r\t\"\\": 2, "plain": 2147483647}"#.utf8)))
        seeds.append(Seed("merges-odd", [TokenizerFileInput.mergesTag] + Array("#version: 0.2\n#versionX a b\nĠ t\nt h</w>\n\n".utf8)))
        return seeds
    }

    /// `{"token": id, …}` with JSON escapes for `"`, `\` and control characters.
    private static func jsonObject(_ entries: [([UInt8], Int)], pretty: Bool = false) -> [UInt8] {
        var out = Array("{".utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out += Array(",".utf8) }
            if pretty { out += Array("\n  ".utf8) }
            out.append(UInt8(ascii: "\""))
            for byte in entry.0 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
                case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
                default: out.append(byte)
                }
            }
            out += Array("\": \(entry.1)".utf8)
        }
        out += Array((pretty ? "\n}\n" : "}").utf8)
        return out
    }
}
