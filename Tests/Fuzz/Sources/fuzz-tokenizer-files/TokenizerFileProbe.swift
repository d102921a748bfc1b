import Foundation
import FuzzSupport
@testable import CLIPTokenizer

/// What the tokenizer-files target checks for one input (see `TokenizerFileInput`):
/// - every refusal is a one-line error;
/// - an accepted vocab.json maps distinct tokens to distinct ids ≥ 0;
/// - accepted merges.txt rules are two non-empty tokens without spaces or line breaks, in file order;
/// - a tokenizer built from both encodes the probe prompts to `[start] … [end]` within `maxLength`,
///   using only ids vocab.json assigns.
enum TokenizerFileProbe {
    static let probePrompts = [
        "", "a photo of a cat", "<|startoftext|>red<|endoftext|> circle", "  Ünïcödé’s 42 words!! ", "🙂 日本",
        String(repeating: "ab ", count: 30), "\u{0}\u{1F}\u{7F}\u{FFFD}",
    ]

    static func check(_ bytes: UnsafeRawBufferPointer) {
        switch TokenizerFileInput(bytes) {
        case nil:
            return
        case .vocabulary(let text):
            _ = parseVocabulary(Array(text))
        case .merges(let text):
            _ = parseMerges(Array(text))
        case .both(let vocabulary, let merges):
            checkTokenizer(vocabulary: vocabulary, merges: merges)
        }
    }

    private static func parseVocabulary(_ bytes: [UInt8]) -> [[UInt8]: Int32]? {
        do {
            let tokens = try VocabularyFileParser.parse(bytes, path: "vocab.json")
            FuzzCheck.require(Set(tokens.values).count == tokens.count, "two tokens share an id")
            FuzzCheck.require(tokens.values.allSatisfy { $0 >= 0 }, "a negative id was accepted")
            return tokens
        } catch {
            FuzzCheck.requireOneLine(error)
            return nil
        }
    }

    private static func parseMerges(_ bytes: [UInt8]) -> [MergeRule]? {
        do {
            let rules = try MergesFileParser.parse(bytes, path: "merges.txt")
            var previousLine = 0
            for rule in rules {
                for token in [rule.left, rule.right] {
                    FuzzCheck.require(!token.isEmpty && !token.contains(UInt8(ascii: " ")) && !token.contains(UInt8(ascii: "\n")),
                                      "line \(rule.line): token \(token) accepted")
                }
                FuzzCheck.require(rule.line > previousLine, "rules out of file order at line \(rule.line)")
                previousLine = rule.line
            }
            return rules
        } catch {
            FuzzCheck.requireOneLine(error)
            return nil
        }
    }

    private static func checkTokenizer(vocabulary: UnsafeRawBufferPointer, merges: UnsafeRawBufferPointer) {
        let scratch = ScratchDirectory.shared
        let vocabularyFile = scratch.write(vocabulary, to: "vocab.json")
        let mergesFile = scratch.write(merges, to: "merges.txt")
        let tokenizer: CLIPTokenizer
        do {
            tokenizer = try CLIPTokenizer(vocabularyFile: vocabularyFile, mergesFile: mergesFile, maxLength: 16)
        } catch {
            FuzzCheck.requireOneLine(error)
            return
        }
        guard let tokens = parseVocabulary(Array(vocabulary)) else {
            FuzzCheck.fail("the tokenizer loaded a vocab.json its parser refuses")
        }
        FuzzCheck.require(parseMerges(Array(merges)) != nil, "the tokenizer loaded a merges.txt its parser refuses")
        FuzzCheck.require(tokenizer.vocabularyCount == tokens.count, "vocabularyCount \(tokenizer.vocabularyCount) of \(tokens.count)")
        let ids = Set(tokens.values)
        for prompt in probePrompts {
            let encoded = tokenizer.encode(prompt)
            FuzzCheck.require(encoded.count >= 2 && encoded.count <= 16, "\(prompt.debugDescription): \(encoded.count) ids")
            FuzzCheck.require(encoded.first == tokenizer.startTokenID && encoded.last == tokenizer.endTokenID,
                              "\(prompt.debugDescription): \(encoded) does not run from start to end token")
            if let stranger = encoded.first(where: { !ids.contains($0) }) {
                FuzzCheck.fail("\(prompt.debugDescription): id \(stranger) is not in vocab.json")
            }
        }
    }
}
