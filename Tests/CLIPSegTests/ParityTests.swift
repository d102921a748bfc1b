import XCTest
import TensorKit
import CLIPTokenizer
import TestSupport
@testable import CLIPSeg

/// Stage-by-stage parity with transformers' `CLIPSegForImageSegmentation` on the committed
/// fixtures (Tools/make_fixtures.py; tolerances: README's 50 × fp32-vs-fp64 rule, pixels exact).
final class ParityTests: XCTestCase {
    private func eachCase(_ body: (ParityFixture) throws -> Void) throws {
        for name in ParityFixture.caseNames { try body(try ParityFixture.committed(name)) }
    }

    func testPixelValuesAreBitIdenticalToTheProcessor() throws {
        try eachCase { f in
            for (i, file) in f.imageNames.enumerated() {
                let frame = try f.image(file)
                let pixels = try f.model.pixelValues(rgb: frame.pixels, width: frame.width, height: frame.height)
                try f.assertClose(pixels, "pixel_values.\(i)", dropBatch: true, tolerance: 0)
                // Split by rows over threads (as the pipeline runs it): the very same values.
                var threaded = Tensor(shape: [0])
                try f.model.preprocessor.pixelValues(rgb: frame.pixels, width: frame.width, height: frame.height,
                                                     into: &threaded, threads: 3)
                try f.assertClose(threaded, "pixel_values.\(i)", dropBatch: true, tolerance: 0)
            }
            let prompt = try f.image("prompt.png")
            let pixels = try f.model.pixelValues(rgb: prompt.pixels, width: prompt.width, height: prompt.height)
            try f.assertClose(pixels, "conditional_pixel_values", dropBatch: true, tolerance: 0)
        }
    }

    func testPositionEmbeddingsIncludingBicubicInterpolation() throws {
        try eachCase { f in
            let grid = f.grid
            let table = f.model.vision.positions.table(gridHeight: grid, gridWidth: grid)
            try f.assertClose(Tensor(shape: [1 + grid * grid, f.model.configuration.vision.hiddenSize], data: table),
                              "position_embedding_used")
        }
    }

    func testVisionEmbeddingsAndExtractedHiddenStates() throws {
        try eachCase { f in
            for i in f.imageNames.indices {
                let pixels = try f.tensor("pixel_values.\(i)", dropBatch: true)
                let layers = f.model.configuration.extractLayers
                let run = try f.model.vision.run(pixels, through: layers.max()!, capture: Set(layers + [-1]),
                                                 keepEmbeddings: true, workspace: InferenceWorkspace())
                try f.assertClose(run.embeddingsBeforeNorm!, "vision_embeddings_pre_norm.\(i)")
                try f.assertClose(run.states[-1]!, "vision_embeddings.\(i)")
                for layer in layers { try f.assertClose(run.states[layer]!, "vision_hidden.\(i).\(layer)") }
                // The public entry point returns the same activations in extract_layers order.
                let features = try f.model.visionFeatures(pixels)
                XCTAssertEqual(features.activations, layers.map { run.states[$0]! })
            }
        }
    }

    func testTextPoolingPositionsAndEmbeddings() throws {
        try eachCase { f in
            let ids = f.unpaddedIDs
            XCTAssertEqual(ids.map(f.model.text.pooledPosition(of:)), f.pooledPositions, f.name)
            try f.assertClose(try f.model.text.pooledStates(ids, workspace: InferenceWorkspace()), "text_pooled")
            try f.assertClose(try f.model.embed(tokenIDs: ids), "text_embeds")
            // Each prompt alone gives the same rows as the batch (padding is invisible).
            let alone = try ids.map { try f.model.embed(tokenIDs: [$0]) }
            let batch = try f.model.embed(tokenIDs: ids)
            for (p, row) in alone.enumerated() {
                XCTAssertLessThanOrEqual(row.maxAbsoluteDifference(batch.rows(p..<(p + 1))), 1e-5, "\(f.name) prompt \(p)")
            }
        }
    }

    func testPromptStringsTokenizeToTheReferenceIDs() throws {
        let f = try ParityFixture.committed("p16-refined-bf16-clipvocab")
        let prompts = try XCTUnwrap(f.prompts)
        let tokenizer = try CLIPTokenizer(directory: TestPaths.samples.appendingPathComponent("models/shapes"))
        XCTAssertEqual(prompts.map(tokenizer.encode), f.unpaddedIDs)
    }

    func testImagePromptEmbedding() throws {
        try eachCase { f in
            let pixels = try f.tensor("conditional_pixel_values", dropBatch: true)
            try f.assertClose(try f.model.vision.pooled(pixels, workspace: InferenceWorkspace()), "image_prompt_pooled")
            try f.assertClose(try f.model.embed(pixelValues: pixels), "image_prompt_embeds")
        }
    }

    func testDecoderFromReferenceInputs() throws {
        try eachCase { f in
            let layers = f.model.configuration.extractLayers
            let grid = f.grid
            for i in f.imageNames.indices {
                let features = VisionFeatures(activations: try layers.map { try f.tensor("vision_hidden.\(i).\($0)") },
                                              gridHeight: grid, gridWidth: grid)
                let text = try f.tensor("text_embeds")
                let decoded = try f.model.decoder.features(features, conditionals: text, workspace: InferenceWorkspace())
                try f.assertClose(decoded.channelsFirst(), "decoder_features.\(i)")
                try f.assertClose(try f.model.decode(features, conditionals: text), "logits.\(i)", tolerance: f.logitsTolerance)
                let image = try f.tensor("image_prompt_embeds")
                try f.assertClose(try f.model.decode(features, conditionals: image), "image_prompt_logits.\(i)",
                                  tolerance: f.logitsTolerance)
            }
        }
    }

    /// PNG → logits with every stage computed here, text and image prompts decoded in one batch.
    func testEndToEndFromImagesAndPrompts() throws {
        try eachCase { f in
            let prompt = try f.image("prompt.png")
            let conditionals = try f.model.embed(tokenIDs: f.unpaddedIDs)
            let imagePrompt = try f.model.embed(imageRGB: prompt.pixels, width: prompt.width, height: prompt.height)
            let both = Tensor(shape: [conditionals.shape[0] + 1, conditionals.shape[1]],
                              data: conditionals.data + imagePrompt.data)
            let workspace = InferenceWorkspace()
            for (i, file) in f.imageNames.enumerated() {
                let frame = try f.image(file)
                let logits = try f.model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                                 conditionals: both, workspace: workspace)
                let prompts = conditionals.shape[0]
                try f.assertClose(logits.rows(0..<prompts), "logits.\(i)", tolerance: f.logitsTolerance)
                try f.assertClose(logits.rows(prompts..<(prompts + 1)), "image_prompt_logits.\(i)", tolerance: f.logitsTolerance)
            }
        }
    }
}
