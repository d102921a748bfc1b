import XCTest
@testable import SafeTensors

/// The header's JSON scanner on its own: what it accepts, what it keeps, and where it stops.
final class JSONScannerTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBytes { try JSONScanner.parse($0) }
    }

    private func assertSyntaxError(_ text: String, offset: Int, _ reason: String, line: UInt = #line) {
        do {
            let value = try parse(text)
            XCTFail("parsed \(value)", line: line)
        } catch {
            XCTAssertEqual(error as? JSONSyntaxError, JSONSyntaxError(offset: offset, reason: reason), line: line)
        }
    }

    func testObjectsKeepDuplicateKeysInOrder() throws {
        XCTAssertEqual(try parse(#" {"a": 1, "b": [true, false, null], "a": "x"} "#), .object([
            JSONMember(key: "a", value: .number("1"), offset: 2),
            JSONMember(key: "b", value: .array([.bool(true), .bool(false), .null]), offset: 10),
            JSONMember(key: "a", value: .string("x"), offset: 36),
        ]))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9\u4E2D \ud83d\ude42""#),
                       .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é中 🙂"))
        XCTAssertEqual(try parse(#""\u0000""#), .string("\u{0}"))
        assertSyntaxError(#""\ud83d x""#, offset: 1, "lone high surrogate in \\u escape")
        assertSyntaxError(#""\ud83d\u0041""#, offset: 1, "high surrogate not followed by a low surrogate")
        assertSyntaxError(#""\ude42""#, offset: 1, "lone low surrogate in \\u escape")
        assertSyntaxError(#""\x""#, offset: 1, "invalid escape \\'x'")
        assertSyntaxError(#""\u12g4""#, offset: 5, "expected a hex digit in \\u escape")
        assertSyntaxError("\"tab\there\"", offset: 4, "unescaped control character 0x9 in string")
        assertSyntaxError(#""open"#, offset: 5, "unterminated string")
    }

    func testNumberGrammar() throws {
        for literal in ["0", "-0", "12", "-3.25", "1e9", "2E-3", "6.02e+23"] {
            XCTAssertEqual(try parse(literal), .number(literal))
        }
        assertSyntaxError("01", offset: 1, "unexpected data after the top-level value")
        assertSyntaxError("-", offset: 1, "expected a digit in number")
        assertSyntaxError("1.", offset: 2, "expected a digit after '.' in number")
        assertSyntaxError("1e+", offset: 3, "expected a digit in number exponent")
        assertSyntaxError("+1", offset: 0, "unexpected character '+', expected a value")
        assertSyntaxError("NaN", offset: 0, "unexpected character 'N', expected a value")
    }

    func testIntegerValues() {
        XCTAssertEqual(JSONValue.number("9223372036854775807").integerValue, Int64.max)
        XCTAssertEqual(JSONValue.number("-9223372036854775808").integerValue, Int64.min)
        XCTAssertEqual(JSONValue.number("-0").integerValue, 0)
        XCTAssertNil(JSONValue.number("9223372036854775808").integerValue)
        XCTAssertNil(JSONValue.number("-9223372036854775809").integerValue)
        XCTAssertNil(JSONValue.number("1.0").integerValue)
        XCTAssertNil(JSONValue.number("1e2").integerValue)
        XCTAssertNil(JSONValue.string("1").integerValue)
    }

    func testStructuralErrors() {
        assertSyntaxError(#"{"a" 1}"#, offset: 5, "expected ':' after object key")
        assertSyntaxError(#"{"a": 1,}"#, offset: 8, "expected a string key")
        assertSyntaxError(#"{a: 1}"#, offset: 1, "expected a string key")
        assertSyntaxError(#"{"a": 1"#, offset: 7, "expected ',' or '}' in object")
        assertSyntaxError("[1 2]", offset: 3, "expected ',' or ']' in array")
        assertSyntaxError("[1,]", offset: 3, "unexpected character ']', expected a value")
        assertSyntaxError("tru", offset: 0, "invalid literal, expected 'true'")
        assertSyntaxError("nul", offset: 0, "invalid literal, expected 'null'")
        assertSyntaxError("{}\u{0}", offset: 2, "unexpected data after the top-level value")
    }

    func testNestingIsLimited() throws {
        let depth = JSONScanner.maximumDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        assertSyntaxError(tooDeep, offset: depth, "nested deeper than \(depth) levels")
        // Far deeper input fails the same way instead of exhausting the stack.
        assertSyntaxError(String(repeating: #"{"a":"#, count: 100_000), offset: 5 * depth, "nested deeper than \(depth) levels")
    }
}
