import Foundation
import XCTest
import TestSupport
@testable import CLIPSeg

final class ConfigurationTests: XCTestCase {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    func testEveryFieldOfAFixtureConfigIsRead() throws {
        let url = TestPaths.fixtures.appendingPathComponent("clipseg/p8-refined-f16-firsteos/config.json")
        let c = try CLIPSegConfiguration(contentsOf: url)
        XCTAssertEqual(c.text.vocabSize, 90)
        XCTAssertEqual(c.text.hiddenSize, 20)
        XCTAssertEqual(c.text.attentionHeadCount, 5)
        XCTAssertEqual(c.text.layerCount, 3)
        XCTAssertEqual(c.text.intermediateSize, 28)
        XCTAssertEqual(c.text.hiddenActivation, "gelu")
        XCTAssertEqual(c.text.layerNormEpsilon, 1e-6)
        XCTAssertEqual(c.text.eosTokenID, 7)
        XCTAssertEqual(c.vision.hiddenSize, 36)
        XCTAssertEqual(c.vision.patchSize, 8)
        XCTAssertEqual(c.vision.imageSize, 48)
        XCTAssertEqual(c.projectionDim, 20)
        XCTAssertEqual(c.extractLayers, [1, 2])
        XCTAssertEqual(c.conditionalLayer, 1)
        XCTAssertEqual(c.reduceDim, 12)
        XCTAssertEqual(c.decoderAttentionHeadCount, 3)
        XCTAssertEqual(c.decoderIntermediateSize, 20)
        XCTAssertTrue(c.useComplexTransposedConvolution)
        XCTAssertEqual(c.logitsSide(grid: 6), 24)
    }

    func testAbsentKeysTakeTransformersDefaults() throws {
        let c = try decode(CLIPSegConfiguration.self, "{}")
        XCTAssertEqual(c, CLIPSegConfiguration())
        XCTAssertEqual(c.vision.patchSize, 32)
        XCTAssertEqual(c.text.eosTokenID, 49407)
        XCTAssertEqual(c.extractLayers, [3, 6, 9])
    }

    func testLegacyConfigDictOverridesAndListForms() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let json = """
        {"text_config": {"hidden_size": 64, "eos_token_id": [2]},
         "text_config_dict": {"hidden_size": 32, "num_attention_heads": 4},
         "vision_config": {"image_size": [64, 64], "patch_size": 16, "hidden_size": 48, "num_attention_heads": 4,
                           "num_hidden_layers": 10}}
        """
        try Data(json.utf8).write(to: folder.path("config.json"))
        let c = try CLIPSegConfiguration(contentsOf: folder.path("config.json"))
        XCTAssertEqual(c.text.hiddenSize, 32)
        XCTAssertEqual(c.text.eosTokenID, 2)
        XCTAssertEqual(c.vision.imageSize, 64)
    }

    func testInvalidValuesAreReportedOnOneLine() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cases = [
            (#"{"extract_layers": [3, 12]}"#, "extract_layers entry 12 is outside the 12 vision layers"),
            (#"{"vision_config": {"hidden_act": "swish"}}"#, "vision_config.hidden_act 'swish' is not supported"),
            (#"{"reduce_dim": 10}"#, "reduce_dim 10 is not a multiple of decoder_num_attention_heads 4"),
            (#"{"vision_config": {"image_size": [224, 200]}}"#, "field 'vision_config.image_size': only square sizes are supported, got [224, 200]"),
            (#"{"projection_dim": "wide"}"#, "field 'projection_dim' is not a valid Int"),
            // Found by Tests/Fuzz (fuzz-config): the patch count (grid² + 1) overflowed while loading.
            (#"{"vision_config": {"image_size": 1099511627776, "patch_size": 4}}"#,
             "vision_config.image_size 1099511627776 holds too many 4-pixel patches to count"),
            ("[1]", "not a JSON object"),
        ]
        for (json, reason) in cases {
            let url = folder.path("config.json")
            try Data(json.utf8).write(to: url)
            XCTAssertThrowsError(try CLIPSegConfiguration(contentsOf: url)) { error in
                XCTAssertEqual(String(describing: error), "\(url.path): \(reason)")
            }
        }
    }

    func testPreprocessorSizeForms() throws {
        XCTAssertEqual(try decode(PreprocessorConfiguration.self, #"{"size": 352}"#).size, .exact(height: 352, width: 352))
        XCTAssertEqual(try decode(PreprocessorConfiguration.self, #"{"size": {"height": 30, "width": 40}}"#).size,
                       .exact(height: 30, width: 40))
        let shortest = try decode(PreprocessorConfiguration.self, #"{"size": {"shortest_edge": 224}}"#)
        XCTAssertEqual(shortest.size, .shortestEdge(224, longestEdge: nil))
        // transformers: get_resize_output_image_size(default_to_square=False)
        XCTAssertEqual(shortest.resizedSize(height: 37, width: 50).height, 224)
        XCTAssertEqual(shortest.resizedSize(height: 37, width: 50).width, 302)  // int(224 * 50 / 37)
        let capped = try decode(PreprocessorConfiguration.self, #"{"size": {"shortest_edge": 100, "longest_edge": 120}}"#)
        XCTAssertEqual(capped.resizedSize(height: 50, width: 100).height, 60)   // round(120 * 50 / 100)
        XCTAssertEqual(capped.resizedSize(height: 50, width: 100).width, 120)
        let defaults = try decode(PreprocessorConfiguration.self, "{}")
        XCTAssertEqual(defaults.size, .exact(height: 224, width: 224))
        XCTAssertEqual(defaults.resample, 2)
        XCTAssertEqual(defaults.imageMean, [0.5, 0.5, 0.5])
    }

    func testPreprocessorRefusesWhatItCannotReproduce() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let url = folder.path("preprocessor_config.json")
        for (json, reason) in [(#"{"resample": 0}"#, "resample 0 is not supported (use 1 Lanczos, 2 bilinear, 3 bicubic, 4 box or 5 Hamming)"),
                               (#"{"do_center_crop": true}"#, "do_center_crop is not supported"),
                               (#"{"image_std": [0.2, 0, 0.2]}"#, "image_std must not contain 0"),
                               // Found by Tests/Fuzz (fuzz-config): resizedSize trapped converting the scaled side to Int.
                               (#"{"size": {"shortest_edge": 9223372036854775807}}"#, "size edges must be at most 16384 pixels"),
                               (#"{"size": {"shortest_edge": 224, "longest_edge": 16385}}"#, "size edges must be at most 16384 pixels"),
                               (#"{"size": 100000}"#, "size 100000×100000 exceeds 16384 pixels a side")] {
            try Data(json.utf8).write(to: url)
            XCTAssertThrowsError(try PreprocessorConfiguration(contentsOf: url)) { error in
                XCTAssertEqual(String(describing: error), "\(url.path): \(reason)")
            }
        }
    }

    func testRescaleThenNormaliseAsTransformersDoes() throws {
        // float32(float64(v) / 255) equals the float32 division the fixtures README describes, for every byte.
        var configuration = PreprocessorConfiguration()
        configuration.doResize = false
        configuration.doNormalize = false
        let preprocessor = ImagePreprocessor(configuration: configuration)
        let bytes = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        let values = try preprocessor.pixelValues(rgb: bytes, width: 256, height: 1)
        XCTAssertEqual(Array(values.data[0..<256]), (0..<256).map { Float($0) / 255 })
        XCTAssertThrowsError(try preprocessor.pixelValues(rgb: [1, 2], width: 1, height: 1)) { error in
            XCTAssertEqual(String(describing: error), "image of 1×1 needs 3 RGB bytes, got 2")
        }
    }
}
