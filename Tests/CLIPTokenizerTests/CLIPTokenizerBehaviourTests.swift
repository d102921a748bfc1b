import CLIPTokenizer
import TestSupport
import XCTest

/// Targeted behaviour on the CLIP vocabulary in Samples/models/shapes (ids as openai CLIP and transformers give them).
final class CLIPTokenizerBehaviourTests: XCTestCase {
    private static let modelDirectory = TestPaths.samples.appendingPathComponent("models/shapes")
    private let a: Int32 = 320  // "a</w>"

    private func tokenizer(maxLength: Int = 77) throws -> CLIPTokenizer {
        let folder = Self.modelDirectory
        return try CLIPTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.json"),
                                 mergesFile: folder.appendingPathComponent("merges.txt"), maxLength: maxLength)
    }

    func testSpecialTokenIDsAndSizes() throws {
        let tokenizer = try CLIPTokenizer(directory: Self.modelDirectory)
        XCTAssertEqual(tokenizer.startTokenID, 49406)
        XCTAssertEqual(tokenizer.endTokenID, 49407)
        XCTAssertEqual(tokenizer.maxLength, 77)
        XCTAssertEqual(tokenizer.vocabularyCount, 49408)
    }

    func testKnownPrompts() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.encode("a photo of a cat"), [49406, 320, 1125, 539, 320, 2368, 49407])
        XCTAssertEqual(tokenizer.encode("red circle"), [49406, 736, 7117, 49407])
        XCTAssertEqual(tokenizer.encode("  RED\tCircle\n"), [49406, 736, 7117, 49407])
    }

    func testEmptyAndWhitespaceOnlyGiveStartAndEnd() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.encode(""), [49406, 49407])
        XCTAssertEqual(tokenizer.encode(" \t\n\u{3000}\u{A0}"), [49406, 49407])
    }

    func testTruncationKeepsTheEndTokenAt77() throws {
        let tokenizer = try tokenizer()
        let exactlyFull = tokenizer.encode(String(repeating: "a ", count: 75))
        XCTAssertEqual(exactlyFull, [49406] + Array(repeating: a, count: 75) + [49407])
        for words in [76, 77, 500] {
            let ids = tokenizer.encode(String(repeating: "a ", count: words))
            XCTAssertEqual(ids, [49406] + Array(repeating: a, count: 75) + [49407], "\(words) words")
        }
        let oneLess = tokenizer.encode(String(repeating: "a ", count: 74))
        XCTAssertEqual(oneLess.count, 76)
    }

    func testTruncationCutsInsideAWordsTokens() throws {
        let tokenizer = try tokenizer()
        // One word of 1,000 letters encodes to far more than 75 tokens; the cut keeps its first 75.
        let ids = tokenizer.encode(String(repeating: "x", count: 1000))
        XCTAssertEqual(ids.count, 77)
        XCTAssertEqual(ids.first, 49406)
        XCTAssertEqual(ids.last, 49407)
    }

    func testSmallerMaxLength() throws {
        XCTAssertEqual(try tokenizer(maxLength: 5).encode("a a a a a a"), [49406, a, a, a, 49407])
        XCTAssertEqual(try tokenizer(maxLength: 2).encode("a photo of a cat"), [49406, 49407])
        XCTAssertThrowsError(try tokenizer(maxLength: 1)) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, .invalidMaxLength(1))
            XCTAssertEqual("\(error)",
                           "maximum length 1 is too small: it must hold the start and end tokens (at least 2)")
        }
    }

    func testSpecialTokensWrittenInTheTextBecomeTheirIDs() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.encode("<|endoftext|> a"), [49406, 49407, a, 49407])
        XCTAssertEqual(tokenizer.encode("<|startoftext|>"), [49406, 49406, 49407])
        // Any other spelling is ordinary text: "<|" "endoftext" "|>" after lower-casing.
        XCTAssertFalse(tokenizer.encode("<|ENDOFTEXT|>").dropFirst().dropLast().contains(49407))
    }

    func testCopiesAreIndependentOfTheOriginal() throws {
        var copy = try tokenizer()
        let original = copy
        copy = try tokenizer(maxLength: 3)
        XCTAssertEqual(original.encode("a a a"), [49406, a, a, a, 49407])
        XCTAssertEqual(copy.encode("a a a"), [49406, a, 49407])
    }
}
