import Foundation
import TestSupport
import XCTest

/// Runs the real `clipseg tokenize` and compares its output with the golden ids of
/// Tests/Fixtures/tokenizer/golden.json (made by Tools/make_tokenizer_golden.py with transformers).
final class TokenizeCommandTests: XCTestCase {
    private struct Golden: Decodable {
        struct Case: Decodable {
            var text: String
            var ids: [Int32]
        }
        var model: String
        var cases: [Case]
    }

    private func golden() throws -> Golden {
        let url = TestPaths.fixtures.appendingPathComponent("tokenizer/golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    private func expectedLine(_ ids: [Int32]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    func testPrintsOneJSONArrayPerText() throws {
        let golden = try golden()
        let wanted = ["a photo of a cat", "", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}",
                      "\u{732B}\u{306E}\u{5199}\u{771F}", "it\u{2019}s", "cafe\u{301}", "<|endoftext|>" + String(repeating: "word ", count: 80)]
        let cases = try wanted.map { text in try XCTUnwrap(golden.cases.first { $0.text == text }, "no golden case for \(text)") }
        let model = TestPaths.repositoryRoot.appendingPathComponent(golden.model).path
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", model, "--"] + cases.map(\.text))
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, cases.map { expectedLine($0.ids) + "\n" }.joined())
    }

    func testModelFromEnvironment() throws {
        let golden = try golden()
        let model = TestPaths.repositoryRoot.appendingPathComponent(golden.model).path
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "red circle"],
                                          environment: ["CLIPSEG_MODEL": model])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, "[49406,736,7117,49407]\n")
    }

    func testMissingModelFolderIsAOneLineError() throws {
        let missing = "/nonexistent/clipseg-model"
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", missing, "cat"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, "")
        let message = result.stderrText.trimmingCharacters(in: .newlines)
        XCTAssertFalse(message.contains("\n"), message)
        XCTAssertTrue(message.hasPrefix("Error: no model folder at \(missing) (pass --model DIR"), message)
    }

    func testMissingVocabularyFileIsNamedWithAHint() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-tokenize-cli")
        defer { folder.remove() }
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", folder.url.path, "cat"])
        XCTAssertNotEqual(result.status, 0)
        let message = result.stderrText.trimmingCharacters(in: .newlines)
        XCTAssertFalse(message.contains("\n"), message)
        XCTAssertTrue(message.hasPrefix("Error: \(folder.path("vocab.json").path): no such file (pass --model DIR"), message)
    }

    func testDefaultModelIsLookedUpInTheCaches() throws {
        let home = try TemporaryDirectory(prefix: "clipseg-tokenize-home")
        defer { home.remove() }
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "cat"],
                                          environment: ["HOME": home.url.path, "CLIPSEG_MODEL": "", "HF_HUB_CACHE": "",
                                                        "HF_HOME": "/nonexistent/hf-home", "XDG_CACHE_HOME": ""])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: no model given (--model or CLIPSEG_MODEL) and CIDAS/clipseg-rd64-refined "
                       + "is not downloaded: not in /nonexistent/hf-home/hub nor in \(home.url.path)/.cache/clipseg/hub; "
                       + "download it with: clipseg download CIDAS/clipseg-rd64-refined\n")
        let byID = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", "someone/model@v2", "cat"],
                                        environment: ["HOME": home.url.path, "HF_HUB_CACHE": home.path("hf").path])
        XCTAssertEqual(byID.status, 1)
        XCTAssertEqual(byID.stderrText, "Error: --model someone/model@v2: no such folder, and someone/model@v2 is not "
                       + "downloaded: not in \(home.path("hf").path) nor in \(home.url.path)/.cache/clipseg/hub; "
                       + "download it with: clipseg download someone/model@v2\n")
    }

    func testMalformedMergesFileIsReported() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-tokenize-cli")
        defer { folder.remove() }
        let golden = try golden()
        let model = TestPaths.repositoryRoot.appendingPathComponent(golden.model)
        try FileManager.default.copyItem(at: model.appendingPathComponent("vocab.json"), to: folder.path("vocab.json"))
        try Data("#version: 0.2\ni n\nthe\n".utf8).write(to: folder.path("merges.txt"))
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", folder.url.path, "cat"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderrText.trimmingCharacters(in: .newlines),
                       "Error: \(folder.path("merges.txt").path) line 3: expected two tokens separated by one space, found one token in \"the\"")
    }
}
