import CLIPTokenizer
import TestSupport
import XCTest

/// `init(directory:)`: which files it reads and what tokenizer_config.json's model_max_length does.
final class TokenizerFolderTests: XCTestCase {
    private static let shapes = TestPaths.samples.appendingPathComponent("models/shapes")

    /// A folder with the real vocab.json and merges.txt and the given tokenizer_config.json text (none if nil).
    private func folder(configuration: String?) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "clipseg-tokenizer")
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: Self.shapes.appendingPathComponent(name), to: folder.path(name))
        }
        if let configuration {
            try Data(configuration.utf8).write(to: folder.path("tokenizer_config.json"))
        }
        return folder
    }

    func testModelMaxLengthFromConfiguration() throws {
        let folder = try folder(configuration: #"{"model_max_length": 4, "do_lower_case": true}"#)
        defer { folder.remove() }
        let tokenizer = try CLIPTokenizer(directory: folder.url)
        XCTAssertEqual(tokenizer.maxLength, 4)
        XCTAssertEqual(tokenizer.encode("a photo of a cat"), [49406, 320, 1125, 49407])
    }

    func testWithoutConfigurationOrKeyTheLengthIs77() throws {
        for configuration in [nil, "{}", #"{"model_max_length": null}"#,
                              #"{"model_max_length": 1000000000000000019884624838656}"#] {
            let folder = try folder(configuration: configuration)
            defer { folder.remove() }
            XCTAssertEqual(try CLIPTokenizer(directory: folder.url).maxLength, 77, configuration ?? "no file")
        }
    }

    func testBadConfigurationThrows() throws {
        let cases: [(String, String)] = [
            ("{not json", "not valid JSON"),
            ("[77]", "not a JSON object"),
            (#"{"model_max_length": "77"}"#, "model_max_length must be an integer of at least 2, found 77"),
            (#"{"model_max_length": 1}"#, "model_max_length must be an integer of at least 2, found 1"),
            (#"{"model_max_length": 7.5}"#, "model_max_length must be an integer of at least 2, found 7.5"),
        ]
        for (configuration, reason) in cases {
            let folder = try folder(configuration: configuration)
            defer { folder.remove() }
            let path = folder.path("tokenizer_config.json").path
            XCTAssertThrowsError(try CLIPTokenizer(directory: folder.url), configuration) { error in
                XCTAssertEqual(error as? CLIPTokenizerError, .malformedConfiguration(path: path, reason: reason))
                XCTAssertEqual("\(error)", "\(path): \(reason)")
            }
        }
    }

    func testMissingFilesAreNamed() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-tokenizer")
        defer { folder.remove() }
        let vocabulary = folder.path("vocab.json").path
        XCTAssertThrowsError(try CLIPTokenizer(directory: folder.url)) { error in
            XCTAssertEqual(error as? CLIPTokenizerError, .missingFile(path: vocabulary))
            XCTAssertEqual("\(error)", "\(vocabulary): no such file")
        }
        try FileManager.default.copyItem(at: Self.shapes.appendingPathComponent("vocab.json"),
                                         to: folder.path("vocab.json"))
        let merges = folder.path("merges.txt").path
        XCTAssertThrowsError(try CLIPTokenizer(directory: folder.url)) { error in
            XCTAssertEqual("\(error)", "\(merges): no such file")
        }
    }
}
