import CLIPTokenizer
import TestSupport
import XCTest

/// Malformed vocab.json / merges.txt: each must throw a one-line error naming the file and line, never crash.
final class TokenizerFileErrorTests: XCTestCase {
    private static let shapes = TestPaths.samples.appendingPathComponent("models/shapes")
    private static let realVocabulary = shapes.appendingPathComponent("vocab.json")
    private static let realMerges = shapes.appendingPathComponent("merges.txt")

    private var folder: TemporaryDirectory!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-tokenizer-errors")
    }

    override func tearDown() {
        folder.remove()
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = folder.path(name)
        try Data(bytes).write(to: url)
        return url
    }

    private func write(_ name: String, _ text: String) throws -> URL {
        try write(name, Array(text.utf8))
    }

    /// Asserts that loading throws `expected`, whose description is `message`.
    private func assertLoadFails(vocabulary: URL, merges: URL, _ expected: CLIPTokenizerError, _ message: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try CLIPTokenizer(vocabularyFile: vocabulary, mergesFile: merges),
                             file: file, line: line) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, expected, file: file, line: line)
            XCTAssertEqual("\(error)", message, file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
        }
    }

    // MARK: vocab.json

    private func assertVocabularyFails(_ text: String, line: Int, _ reason: String,
                                       file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let url = try write("vocab.json", text)
        assertLoadFails(vocabulary: url, merges: Self.realMerges,
                        .malformedVocabulary(path: url.path, line: line, reason: reason),
                        "\(url.path) line \(line): \(reason)", file: file, line: sourceLine)
    }

    func testVocabularyThatIsNotJSON() throws {
        try assertVocabularyFails("", line: 1, "expected '{' opening a JSON object of token → id, found the end of the file")
        try assertVocabularyFails("[1, 2]", line: 1, "expected '{' opening a JSON object of token → id")
        try assertVocabularyFails("{\n\"a\": 1,\n\"b\" 2}", line: 3, #"expected ':' after the token "b""#)
        try assertVocabularyFails("{\"a\": 1,\n\n}", line: 3, "expected a token in double quotes")
        try assertVocabularyFails("{\"a\": 1", line: 1, #"expected ',' or '}' after the id of "a", found the end of the file"#)
        try assertVocabularyFails("{\"a\": 1} x", line: 1, "unexpected text after the closing '}'")
        try assertVocabularyFails("{\"a", line: 1, "unterminated string")
        try assertVocabularyFails("{\"a\tb\": 1}", line: 1, "control character U+0009 inside a string (JSON needs an escape)")
        try assertVocabularyFails(#"{"\q": 1}"#, line: 1, #"invalid escape \q in a string"#)
        // Found by Tests/Fuzz (fuzz-tokenizer-files): the escaped byte used to be copied into the message raw.
        try assertVocabularyFails("{\"\\\u{0B}\": 1}", line: 1, #"invalid escape '\' followed by byte 0x0B in a string"#)
        try assertVocabularyFails("{\"\\\n\": 1}", line: 1, #"invalid escape '\' followed by byte 0x0A in a string"#)
        try assertVocabularyFails("{\"\\\u{E9}\": 1}", line: 1, #"invalid escape '\' followed by byte 0xC3 in a string"#)
        try assertVocabularyFails(#"{"\ud800": 1}"#, line: 1, #"unpaired surrogate \uD800 in a string"#)
        try assertVocabularyFails(#"{"\u12": 1}"#, line: 1, #"\u must be followed by four hex digits"#)
    }

    func testVocabularyWithBadIDs() throws {
        try assertVocabularyFails("{\n\"a\": \"1\"}", line: 2, #"the id of "a" is not an integer"#)
        try assertVocabularyFails("{\"a\": 1.5}", line: 1, #"the id of "a" is not an integer"#)
        try assertVocabularyFails("{\"a\": -3}", line: 1, #"the id of "a" is negative (-3)"#)
        try assertVocabularyFails("{\"a\": 99999999999}", line: 1, #"the id of "a" is out of range (99999999999)"#)
        try assertVocabularyFails("{\"a\": null}", line: 1, #"the id of "a" is not an integer"#)
    }

    func testVocabularyIDCollisionAndDuplicateToken() throws {
        try assertVocabularyFails("{\n\"a\": 0,\n\"b\": 1,\n\"c\": 0\n}", line: 4, #"id 0 is used by both "a" and "c""#)
        try assertVocabularyFails("{\"a\": 0,\n\"a\": 1}", line: 2, #"the token "a" is listed twice"#)
        // Escaped and raw spellings of one token are the same token.
        try assertVocabularyFails("{\"\\u00e9\": 0,\n\"é\": 1}", line: 2, #"the token "é" is listed twice"#)
    }

    func testVocabularyThatIsNotUTF8() throws {
        let url = try write("vocab.json", Array("{\"a\": 0,\n\"".utf8) + [0xC3, 0x28] + Array("\": 1}".utf8))
        assertLoadFails(vocabulary: url, merges: Self.realMerges,
                        .malformedVocabulary(path: url.path, line: 2, reason: "not valid UTF-8"),
                        "\(url.path) line 2: not valid UTF-8")
    }

    func testVocabularyWithoutSpecialOrByteTokens() throws {
        let noStart = try write("vocab.json", #"{"<|endoftext|>": 1}"#)
        assertLoadFails(vocabulary: noStart, merges: Self.realMerges,
                        .missingToken(path: noStart.path, token: "<|startoftext|>"),
                        #"\#(noStart.path): no entry for the token "<|startoftext|>""#)
        // Byte 0 is spelled U+0100 in the byte-level alphabet.
        let noBytes = try write("vocab.json", #"{"<|startoftext|>": 0, "<|endoftext|>": 1}"#)
        assertLoadFails(vocabulary: noBytes, merges: Self.realMerges,
                        .missingToken(path: noBytes.path, token: "\u{100}"),
                        "\(noBytes.path): no entry for the token \"\u{100}\"")
    }

    // MARK: merges.txt

    private func assertMergesFail(_ bytes: [UInt8], line: Int, _ reason: String,
                                  file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let url = try write("merges.txt", bytes)
        assertLoadFails(vocabulary: Self.realVocabulary, merges: url,
                        .malformedMerges(path: url.path, line: line, reason: reason),
                        "\(url.path) line \(line): \(reason)", file: file, line: sourceLine)
    }

    func testMergesLineWithOneToken() throws {
        try assertMergesFail(Array("#version: 0.2\ni n\nthe\n".utf8), line: 3,
                             #"expected two tokens separated by one space, found one token in "the""#)
        try assertMergesFail(Array("i n\n\nt h\n".utf8), line: 2,
                             #"expected two tokens separated by one space, found one token in """#)
    }

    func testMergesLineWithThreeFieldsOrEmptyToken() throws {
        try assertMergesFail(Array("i n\nt h e\n".utf8), line: 2,
                             #"expected two tokens separated by one space, found 3 space-separated fields in "t h e""#)
        try assertMergesFail(Array("i  n\n".utf8), line: 1,
                             #"expected two tokens separated by one space, found 3 space-separated fields in "i  n""#)
        try assertMergesFail(Array("i \n".utf8), line: 1,
                             #"expected two tokens separated by one space, found an empty token in "i ""#)
    }

    func testMergesTokenMissingFromVocabulary() throws {
        try assertMergesFail(Array("#version: 0.2\ni n\nZZ q\n".utf8), line: 3,
                             #"the token "ZZ" is not in \#(Self.realVocabulary.path)"#)
        // Both halves exist but their join does not.
        try assertMergesFail(Array("i n\nq</w> q\n".utf8), line: 2,
                             #"the token "q</w>q" is not in \#(Self.realVocabulary.path)"#)
    }

    func testMergesThatAreNotUTF8() throws {
        try assertMergesFail(Array("i n\nt h\n".utf8) + [0xFF, 0x20, 0x61, 0x0A], line: 3, "not valid UTF-8")
    }

    func testMergesAcceptCRLFAndVersionLines() throws {
        let url = try write("merges.txt", "#version: 0.2\r\ni n\r\nt h\r\nth e</w>\r\n")
        let tokenizer = try CLIPTokenizer(vocabularyFile: Self.realVocabulary, mergesFile: url)
        // With only these merges, "the" is t+h → th, th+e</w> → the</w>; "in" stays i + n</w>.
        let the = try XCTUnwrap(tokenIDs(["the</w>"]).first)
        XCTAssertEqual(tokenizer.encode("the"), [49406, the, 49407])
        XCTAssertEqual(tokenizer.encode("in"), [49406] + (try tokenIDs(["i", "n</w>"])) + [49407])
    }

    // MARK: files

    func testMissingAndUnreadableFiles() throws {
        let missing = folder.path("nothing.json")
        assertLoadFails(vocabulary: missing, merges: Self.realMerges,
                        .missingFile(path: missing.path), "\(missing.path): no such file")
        assertLoadFails(vocabulary: Self.realVocabulary, merges: missing,
                        .missingFile(path: missing.path), "\(missing.path): no such file")
        assertLoadFails(vocabulary: folder.url, merges: Self.realMerges,
                        .unreadableFile(path: folder.url.path, reason: "it is a folder"),
                        "\(folder.url.path): cannot read (it is a folder)")
    }

    /// Ids of tokens in the real vocab.json, looked up with Foundation's JSON decoder (independent of the parser under test).
    private func tokenIDs(_ tokens: [String]) throws -> [Int32] {
        let vocabulary = try JSONDecoder().decode([String: Int32].self, from: Data(contentsOf: Self.realVocabulary))
        return try tokens.map { try XCTUnwrap(vocabulary[$0], $0) }
    }
}
