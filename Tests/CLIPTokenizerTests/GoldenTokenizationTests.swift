import CLIPTokenizer
import TestSupport
import XCTest

/// Every string of the golden table must get exactly the reference's ids.
final class GoldenTokenizationTests: XCTestCase {
    func testEveryGoldenStringGetsTheReferenceIDs() throws {
        let golden = try GoldenTokenization.load()
        let tokenizer = try CLIPTokenizer(directory: golden.modelDirectory)
        XCTAssertEqual(tokenizer.maxLength, golden.maxLength)
        // Exactly the table Tools/make_tokenizer_golden.py wrote: a truncated or emptied file fails here.
        XCTAssertEqual(golden.cases.count, 1246)

        var mismatches = 0
        for (index, entry) in golden.cases.enumerated() {
            let ids = tokenizer.encode(entry.text)
            if ids != entry.ids {
                mismatches += 1
                let scalars = entry.text.unicodeScalars.prefix(40).map { "U+" + String($0.value, radix: 16, uppercase: true) }
                XCTFail("case \(index) (\(entry.category)) \(scalars.joined(separator: " ")): expected \(entry.ids), got \(ids)")
            }
        }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(golden.cases.count) golden strings differ")
    }

    func testGoldenTableCoversTheRequiredKindsOfText() throws {
        let golden = try GoldenTokenization.load()
        let categories = Set(golden.cases.map(\.category))
        for required in ["empty", "whitespace", "apostrophe", "quotes", "html", "digits", "punctuation", "accents",
                         "nfc", "cjk", "fullwidth", "emoji", "mixed", "special", "controls", "odd", "long",
                         "random-unicode", "random-emoji", "random-long"] {
            XCTAssertTrue(categories.contains(required), "no golden case of category \(required)")
        }
        let truncated = golden.cases.filter { $0.ids.count == golden.maxLength }
        XCTAssertGreaterThan(truncated.count, 50, "too few strings reach the length limit")
        XCTAssertTrue(golden.cases.allSatisfy { $0.ids.first == 49406 && $0.ids.last == 49407 })
    }

    /// The same results when many threads encode at once through one tokenizer (and its shared word memo).
    func testConcurrentEncodingGivesTheSameIDs() throws {
        let golden = try GoldenTokenization.load()
        let tokenizer = try CLIPTokenizer(directory: golden.modelDirectory)
        let cases = Array(golden.cases.prefix(400))
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for (index, entry) in cases.enumerated() where index % 2 == worker % 2 {
                if tokenizer.encode(entry.text) != entry.ids { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
    }
}

private final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
