import Foundation
import TestSupport

/// `Tests/Fixtures/tokenizer/golden.json`, written by `Tools/make_tokenizer_golden.py` with transformers'
/// CLIPTokenizer on `Samples/models/shapes`: texts with the ids the reference gives them (truncation on).
struct GoldenTokenization: Decodable {
    struct Case: Decodable {
        var category: String
        var text: String
        var ids: [Int32]
    }

    var generator: String
    var transformers: String
    var model: String
    var maxLength: Int
    var cases: [Case]

    enum CodingKeys: String, CodingKey {
        case generator, transformers, model, cases
        case maxLength = "max_length"
    }

    static var fileURL: URL { TestPaths.fixtures.appendingPathComponent("tokenizer/golden.json") }

    static func load() throws -> GoldenTokenization {
        try JSONDecoder().decode(GoldenTokenization.self, from: Data(contentsOf: fileURL))
    }

    /// The model folder the golden ids were made with.
    var modelDirectory: URL { TestPaths.repositoryRoot.appendingPathComponent(model) }
}
