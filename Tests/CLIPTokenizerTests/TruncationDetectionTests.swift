import CLIPTokenizer
import TestSupport
import XCTest

/// `CLIPTokenizer.truncates`: true exactly when `encode` had to cut the text (what `clipseg segment`
/// warns about once per prompt). On the CLIP vocabulary of Samples/models/shapes, "a" is one token.
final class TruncationDetectionTests: XCTestCase {
    private func tokenizer(maxLength: Int = 77) throws -> CLIPTokenizer {
        let folder = TestPaths.samples.appendingPathComponent("models/shapes")
        return try CLIPTokenizer(vocabularyFile: folder.appendingPathComponent("vocab.json"),
                                 mergesFile: folder.appendingPathComponent("merges.txt"), maxLength: maxLength)
    }

    func testSeventySixTokensAreCutAndSeventyFiveAreNot() throws {
        let tokenizer = try tokenizer()
        let full = String(repeating: "a ", count: 75)      // start + 75 + end = 77 ids
        XCTAssertEqual(tokenizer.encode(full).count, 77)
        XCTAssertFalse(tokenizer.truncates(full))
        XCTAssertTrue(tokenizer.truncates(full + "a"))     // one token too many
        XCTAssertTrue(tokenizer.truncates(String(repeating: "red circle ", count: 10_000)))
        XCTAssertFalse(tokenizer.truncates(""))
        XCTAssertFalse(tokenizer.truncates("a photo of a cat"))
    }

    func testAWordOfManyTokensAtTheLimitCounts() throws {
        let tokenizer = try tokenizer()
        // 74 one-token words, then a word BPE splits into several tokens: the last ones do not fit.
        let text = String(repeating: "a ", count: 74) + "zqxjkvbwpf"
        XCTAssertGreaterThan(tokenizer.encode("zqxjkvbwpf").count - 2, 1, "the probe word is several tokens")
        XCTAssertTrue(tokenizer.truncates(text))
        XCTAssertEqual(tokenizer.encode(text).count, 77)
    }

    func testAgreesWithEncodeForEveryLimitAndLength() throws {
        for maxLength in [2, 3, 5, 77] {
            let tokenizer = try tokenizer(maxLength: maxLength)
            for words in 0...(maxLength + 2) {
                let text = String(repeating: "a ", count: words)
                XCTAssertEqual(tokenizer.truncates(text), words > maxLength - 2, "maxLength \(maxLength), \(words) words")
                XCTAssertEqual(tokenizer.encode(text).count, min(words, maxLength - 2) + 2)
            }
        }
    }

    func testSpecialTokensInTheTextCountAsTokens() throws {
        let tokenizer = try tokenizer(maxLength: 5)
        XCTAssertFalse(tokenizer.truncates("a <|endoftext|> a"))   // 3 content ids: fits
        XCTAssertTrue(tokenizer.truncates("a <|endoftext|> a a"))
    }
}
