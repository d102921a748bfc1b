import XCTest
import TensorKit
import TestSupport
@testable import CLIPSeg

/// A model folder with only `pytorch_model.bin` (torch.save of transformers' state dict of the p8-plain-f32
/// fixture, Tools/make_torch_checkpoint_fixtures.py) loads, and gives transformers' logits — bit for bit
/// those of the same weights read from model.safetensors.
final class PyTorchCheckpointModelTests: XCTestCase {
    func testAFolderWithOnlyPyTorchWeightsMatchesTransformers() throws {
        let source = TestPaths.fixtures.appendingPathComponent("clipseg/p8-plain-f32")
        let scratch = try TemporaryDirectory(prefix: "clipseg-pytorch-model")
        defer { scratch.remove() }
        let manager = FileManager.default
        for file in try manager.contentsOfDirectory(atPath: source.path) where file != "model.safetensors" {
            try manager.copyItem(at: source.appendingPathComponent(file), to: scratch.path(file))
        }
        try manager.copyItem(at: TestPaths.fixtures.appendingPathComponent("torch-checkpoint/clipseg-p8/pytorch_model.bin"),
                             to: scratch.path("pytorch_model.bin"))
        XCTAssertEqual(ModelFolder(url: scratch.url).weights.lastPathComponent, "pytorch_model.bin")

        let fromBin = try ParityFixture(name: "p8-plain-f32 (pytorch_model.bin)", folder: scratch.url)
        let fromSafetensors = try ParityFixture.committed("p8-plain-f32")
        let conditionals = try fromBin.model.embed(tokenIDs: fromBin.unpaddedIDs)
        XCTAssertEqual(conditionals.data, try fromSafetensors.model.embed(tokenIDs: fromBin.unpaddedIDs).data)
        for (i, file) in fromBin.imageNames.enumerated() {
            let frame = try fromBin.image(file)
            let logits = try fromBin.model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                                   conditionals: conditionals)
            try fromBin.assertClose(logits, "logits.\(i)", tolerance: fromBin.logitsTolerance)
            let same = try fromSafetensors.model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                                         conditionals: conditionals)
            XCTAssertEqual(logits.data, same.data, "image \(i)")
        }
    }

    func testAModelFolderWithoutWeightsNamesBothFiles() throws {
        let scratch = try TemporaryDirectory(prefix: "clipseg-no-weights")
        defer { scratch.remove() }
        let source = TestPaths.fixtures.appendingPathComponent("clipseg/p8-plain-f32")
        for file in ["config.json", "preprocessor_config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: scratch.path(file))
        }
        XCTAssertThrowsError(try CLIPSegModel(directory: scratch.url)) { error in
            XCTAssertEqual("\(error)", "model folder \(scratch.url.path) has no model.safetensors "
                           + "(the weights; a pytorch_model.bin is read in its place)")
        }
    }
}
