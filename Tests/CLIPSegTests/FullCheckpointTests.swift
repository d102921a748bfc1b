import Foundation
import XCTest
import TensorKit
@testable import CLIPSeg

/// Parity on a full-size rd64-refined checkpoint (random weights, exact architecture) written by
/// `Tools/make_fixtures.py --full DIR`. Runs only when `CLIPSEG_FULL_CHECKPOINT=DIR` is set.
final class FullCheckpointTests: XCTestCase {
    func testFullSizeCheckpointMatchesTransformers() throws {
        guard let path = ProcessInfo.processInfo.environment["CLIPSEG_FULL_CHECKPOINT"], !path.isEmpty else {
            throw XCTSkip("set CLIPSEG_FULL_CHECKPOINT=DIR (Tools/make_fixtures.py --full DIR) to run the full-size parity check")
        }
        let f = try ParityFixture(name: "full-rd64-refined", folder: URL(fileURLWithPath: path))
        let model = f.model
        var report: [String] = []
        func check(_ actual: Tensor, _ key: String, tolerance: Float? = nil, dropBatch: Bool = false) throws {
            let difference = try f.assertClose(actual, key, dropBatch: dropBatch, tolerance: tolerance)
            report.append("\(key) \(difference)")
        }

        // Prompts: the folder's own tokenizer must give the reference ids.
        let prompts = try XCTUnwrap(f.prompts)
        let ids = try prompts.map(model.tokenize)
        XCTAssertEqual(ids, f.unpaddedIDs)
        let workspace = InferenceWorkspace()
        let text = try model.embed(text: prompts, workspace: workspace)
        try check(text, "text_embeds")

        let prompt = try f.image("prompt.png")
        let promptPixels = try model.pixelValues(rgb: prompt.pixels, width: prompt.width, height: prompt.height)
        try check(promptPixels, "conditional_pixel_values", tolerance: 0, dropBatch: true)
        let imagePrompt = try model.embed(pixelValues: promptPixels, workspace: workspace)
        try check(imagePrompt, "image_prompt_embeds")

        let frame = try f.image("photo.png")
        let pixels = try model.pixelValues(rgb: frame.pixels, width: frame.width, height: frame.height)
        try check(pixels, "pixel_values.0", tolerance: 0, dropBatch: true)
        let grid = f.grid
        try check(Tensor(shape: [1 + grid * grid, model.configuration.vision.hiddenSize],
                         data: model.vision.positions.table(gridHeight: grid, gridWidth: grid)), "position_embedding_used")
        let features = try model.visionFeatures(pixels, workspace: workspace)
        for (layer, activation) in zip(model.configuration.extractLayers, features.activations) {
            try check(activation, "vision_hidden.0.\(layer)")
        }
        let decoded = try model.decoder.features(features, conditionals: text, workspace: workspace)
        try check(decoded.channelsFirst(), "decoder_features.0")

        let all = Tensor(shape: [text.shape[0] + 1, text.shape[1]], data: text.data + imagePrompt.data)
        let logits = try model.decode(features, conditionals: all, workspace: workspace)
        try check(logits.rows(0..<text.shape[0]), "logits.0", tolerance: f.logitsTolerance)
        try check(logits.rows(text.shape[0]..<(text.shape[0] + 1)), "image_prompt_logits.0", tolerance: f.logitsTolerance)
        let single = try model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                       conditionals: try model.embed(text: [prompts[0]]), workspace: workspace)
        try check(single, "logits_one_prompt.0", tolerance: f.logitsTolerance)
        print("full-size parity (max |Δ| per tensor; logits tolerance \(f.logitsTolerance)):\n  "
              + report.joined(separator: "\n  "))
    }
}
