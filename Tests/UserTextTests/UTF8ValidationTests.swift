import XCTest
import UserText

/// Strict UTF-8 validation (safetensors headers, tokenizer files).
final class UTF8ValidationTests: XCTestCase {
    private func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset($0) }
    }

    func testWellFormedSequencesAtEveryLengthBoundary() {
        let text = "a\u{7F}\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}é中🙂"
        XCTAssertNil(firstInvalid(Array(text.utf8)))
        XCTAssertNil(firstInvalid([]))
    }

    func testIllFormedSequences() {
        XCTAssertEqual(firstInvalid([0x61, 0x80]), 1)              // lone continuation byte
        XCTAssertEqual(firstInvalid([0xC1, 0xBF]), 0)              // overlong 2-byte
        XCTAssertEqual(firstInvalid([0xE0, 0x9F, 0xBF]), 0)        // overlong 3-byte
        XCTAssertEqual(firstInvalid([0xF0, 0x8F, 0xBF, 0xBF]), 0)  // overlong 4-byte
        XCTAssertEqual(firstInvalid([0xED, 0xBF, 0xBF]), 0)        // surrogate U+DFFF
        XCTAssertEqual(firstInvalid([0xF4, 0x90, 0x80, 0x80]), 0)  // U+110000
        XCTAssertEqual(firstInvalid([0xF5, 0x80, 0x80, 0x80]), 0)  // invalid lead byte
        XCTAssertEqual(firstInvalid([0x61, 0xE4, 0xB8]), 1)        // cut short
        XCTAssertEqual(firstInvalid([0xE4, 0x41, 0xAD]), 0)        // continuation missing
        XCTAssertEqual(firstInvalid([0x61, 0xE4, 0xB8, 0xAD, 0xFF]), 4)
    }

    func testFirstInvalidLineCountsTheNewlinesBeforeIt() {
        XCTAssertNil(UTF8Validation.firstInvalidLine(in: Array("a\nb\n".utf8)))
        XCTAssertEqual(UTF8Validation.firstInvalidLine(in: [0xFF]), 1)
        XCTAssertEqual(UTF8Validation.firstInvalidLine(in: Array("é\n\nx".utf8) + [0xE4, 0xB8, 0x0A]), 3)
        XCTAssertEqual(UTF8Validation.firstInvalidLine(in: Array("i n\nt h\n".utf8) + [0xFF, 0x20, 0x61, 0x0A]), 3)
    }
}
