import Foundation
import XCTest
import CLIPTokenizer
import MediaIO
import TensorKit
import TestSupport
@testable import CLIPSeg

/// The full-size architecture on every run: CIDAS/clipseg-rd64-refined's own configuration (12 + 12 layers,
/// 768/512 wide, 352 px, rd64 refined decoder) with weights rebuilt from a seed (`SeededWeights`, the same
/// generator as Tools/seeded_weights.py), against what transformers computed on those weights
/// (Tests/Fixtures/clipseg-full-size, `Tools/make_fixtures.py --full-size-summary`).
final class FullSizeSeededTests: XCTestCase {
    private let fixture = FullSizeSummary.folder

    /// The Swift generator gives the Python one's values, bit for bit, on tensors large and small.
    func testGeneratorReproducesThePythonValues() throws {
        let summary = try FullSizeSummary.load()
        let checkpoint = try SeededCheckpoint(manifest: fixture.appendingPathComponent("tensors.tsv"), seed: summary.seed)
        XCTAssertEqual(summary.generatorCheck.count, 4)
        for (name, check) in summary.generatorCheck {
            let values = checkpoint.values(try XCTUnwrap(checkpoint.entry(name), name))
            XCTAssertEqual(Array(values.prefix(8)).map(\.bitPattern), check.first.map(\.bitPattern), name)
            let sum = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(sum, check.sum, accuracy: 1e-9 * max(1, abs(check.sum)), name)
        }
        XCTAssertEqual(SeededWeights.fnv1a64("a"), 0xAF63_DC4C_8601_EC8C)
    }

    func testFullSizeModelMatchesTransformersOnSeededWeights() throws {
        let started = Date()
        let summary = try FullSizeSummary.load()
        let checkpoint = try SeededCheckpoint(manifest: fixture.appendingPathComponent("tensors.tsv"), seed: summary.seed)
        XCTAssertEqual(checkpoint.entries.count, 464, "the real checkpoint's 464 tensors")
        // The folder as `clipseg download` leaves it: CIDAS' four real JSON files (byte for byte, see
        // RealCIDASFilesTests), CLIP's vocabulary and merges, and weights with exactly the real tensor list.
        let folder = try TemporaryDirectory(prefix: "clipseg-full-size")
        defer { folder.remove() }
        for file in ["config.json", "preprocessor_config.json", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: RealCIDASFiles.folder.appendingPathComponent(file), to: folder.path(file))
        }
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TestPaths.repositoryRoot.appendingPathComponent(summary.tokenizer)
                                                .appendingPathComponent(file), to: folder.path(file))
        }
        try checkpoint.write(to: folder.path("model.safetensors"))
        let written = Date()
        let model = try CLIPSegModel(directory: folder.url)
        let loaded = Date()

        let tokenizer = try CLIPTokenizer(directory: folder.url)
        XCTAssertEqual(summary.prompts.map(tokenizer.encode), summary.inputIDs)
        let frame = try StillImage.load(url: fixture.appendingPathComponent(summary.image))
        let pixels = try model.pixelValues(rgb: frame.pixels, width: frame.width, height: frame.height)
        try summary.assertClose(pixels, "pixel_values", tolerance: 0)

        let workspace = InferenceWorkspace()
        let text = try model.embed(tokenIDs: summary.inputIDs, workspace: workspace)
        try summary.assertClose(text, "text_embeds")
        let features = try model.visionFeatures(pixels, workspace: workspace)
        XCTAssertEqual(model.configuration.extractLayers, [3, 6, 9])
        for (layer, activation) in zip(model.configuration.extractLayers, features.activations) {
            try summary.assertClose(activation, "vision_hidden.\(layer)")
        }
        let logits = try model.decode(features, conditionals: text, workspace: workspace)
        let worst = try summary.assertClose(logits, "logits")
        let finished = Date()
        print(String(format: "full-size seeded check: weights written in %.1f s, loaded in %.1f s, run in %.1f s; "
                     + "logits max |Δ| %.2e", written.timeIntervalSince(started), loaded.timeIntervalSince(written),
                     finished.timeIntervalSince(loaded), worst))
    }
}
