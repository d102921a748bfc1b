import Pipeline
import XCTest

/// The prompt book: decoding order, embeddings computed once, control commands, refusals.
final class PromptBookTests: XCTestCase {
    private var embedded: [String] = []

    /// Rows from the prompt's length; prompts over 8 characters count as cut at the token limit.
    private func embed(_ texts: [String]) throws -> TextEmbeddings {
        embedded += texts
        return TextEmbeddings(rows: texts.map { [Float($0.utf8.count), 0.5] }, truncated: texts.filter { $0.count > 8 })
    }

    func testPromptsCutAtTheTokenLimitAreReportedWhenEmbedded() throws {
        var book = try PromptBook(texts: ["cat", "a very long cat"], images: [], negatives: ["a long hand"],
                                  embeddingSize: 2, embed: embed)
        XCTAssertEqual(book.truncatedAtStart, ["a very long cat", "a long hand"])
        XCTAssertEqual(book.apply(.addPrompt("a very long dog"), embed: embed),
                       .promptsChanged(added: ["a very long dog"], removed: [], truncated: ["a very long dog"]))
        XCTAssertEqual(book.apply(.addPrompt("dog"), embed: embed), .promptsChanged(added: ["dog"], removed: []))
    }

    func testOrderIsTextsThenImagesThenNegatives() throws {
        let book = try PromptBook(texts: ["cat", "a dog"], images: [.init(name: "mug.png", embedding: [9, 9])],
                                  negatives: ["hand"], embeddingSize: 2, embed: embed)
        XCTAssertEqual(book.positiveNames, ["cat", "a dog", "mug.png"])
        XCTAssertEqual(book.negativeCount, 1)
        XCTAssertEqual(book.conditionals, ConditionalEmbeddings(rows: [3, 0.5, 5, 0.5, 9, 9, 4, 0.5], count: 4, size: 2))
        XCTAssertEqual(embedded, ["cat", "a dog", "hand"])
    }

    func testCommandsEmbedOnlyNewPromptsAndChangeTheRevision() throws {
        var book = try PromptBook(texts: ["cat"], images: [], negatives: [], embeddingSize: 2, embed: embed)
        XCTAssertEqual(book.apply(.addPrompt("a dog"), embed: embed), .promptsChanged(added: ["a dog"], removed: []))
        XCTAssertEqual(book.revision, 1)
        XCTAssertEqual(book.apply(.setPrompts(["a dog", "bird"]), embed: embed),
                       .promptsChanged(added: ["bird"], removed: ["cat"]))
        XCTAssertEqual(embedded, ["cat", "a dog", "bird"])
        XCTAssertEqual(book.conditionals.rows, [5, 0.5, 4, 0.5])
        XCTAssertEqual(book.apply(.removePrompt("A  DOG"), embed: embed), .promptsChanged(added: [], removed: ["a dog"]))
        XCTAssertEqual(book.positiveNames, ["bird"])
        XCTAssertEqual(book.apply(.removePrompt("bird"), embed: embed),
                       .refused("cannot remove the last prompt 'bird'; use 'prompt set' to replace it"))
        XCTAssertEqual(book.apply(.threshold(0.2), embed: embed), .thresholdChanged(0.2))
    }

    struct NoTokenizer: Error, CustomStringConvertible { var description: String { "no vocab.json" } }

    func testAFailedEmbeddingRefusesTheChangeAndKeepsThePrompts() throws {
        var book = try PromptBook(texts: ["cat"], images: [], negatives: [], embeddingSize: 2, embed: embed)
        let effect = book.apply(.addPrompt("dog")) { _ in throw NoTokenizer() }
        XCTAssertEqual(effect, .refused("cannot embed 'dog': no vocab.json"))
        XCTAssertEqual(book.positiveNames, ["cat"])
        XCTAssertEqual(book.revision, 0)
    }

    func testImagePromptsAloneAllowAnEmptyTextList() throws {
        var book = try PromptBook(texts: [], images: [.init(name: "a.png", embedding: [1, 2])], negatives: [],
                                  embeddingSize: 2, embed: embed)
        XCTAssertEqual(book.positiveNames, ["a.png"])
        XCTAssertEqual(book.apply(.addPrompt("cat"), embed: embed), .promptsChanged(added: ["cat"], removed: []))
        XCTAssertEqual(book.positiveNames, ["cat", "a.png"])
        XCTAssertThrowsError(try PromptBook(texts: [], images: [], negatives: [], embeddingSize: 2, embed: embed))
    }
}
