import Foundation
import XCTest
import SafeTensors
import TensorKit
import TestSupport
@testable import CLIPSeg

/// Loading refuses checkpoints that do not match the configuration, with a precise one-line error,
/// and accepts the known extras (int64 `position_ids` buffers, `logit_scale`).
final class CheckpointLoadingTests: XCTestCase {
    private let fixture = TestPaths.fixtures.appendingPathComponent("clipseg/p8-plain-f32")

    /// A copy of the fixture folder whose checkpoint is rewritten by `edit`.
    private func damagedCopy(_ edit: (inout SafeTensorsWriter) -> Void) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "clipseg-checkpoint")
        for file in ["config.json", "preprocessor_config.json"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: folder.path(file))
        }
        let original = try SafeTensorsFile(url: fixture.appendingPathComponent("model.safetensors"))
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for info in original.tensors {
            let bytes = try original.withRawBytes(info.name) { Array($0) }
            writer.add(info.name, dtype: info.dtype, shape: info.shape, bytes: bytes)
        }
        edit(&writer)
        try writer.write(to: folder.path("model.safetensors"))
        return folder
    }

    private func loadError(_ folder: URL) -> String? {
        do {
            _ = try CLIPSegModel(directory: folder)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    func testMissingTensorIsNamed() throws {
        let folder = try damagedCopy { $0.entries["decoder.film_add.bias"] = nil }
        defer { folder.remove() }
        XCTAssertEqual(loadError(folder.url), "\(folder.path("model.safetensors").path): missing tensor 'decoder.film_add.bias'")
    }

    func testWrongShapeIsNamedWithBothShapes() throws {
        let folder = try damagedCopy { $0.add("decoder.reduces.1.bias", shape: [9], floats: [Float](repeating: 0, count: 9)) }
        defer { folder.remove() }
        XCTAssertEqual(loadError(folder.url),
                       "\(folder.path("model.safetensors").path): tensor 'decoder.reduces.1.bias' has shape [9], expected [8]")
    }

    /// Found by Tests/Fuzz (fuzz-config): a damaged layer count (100000000) made loading build a key
    /// table of 16 keys a layer before looking up the first tensor — a hang that ate all memory.
    func testLayerCountBeyondTheCheckpointIsRefusedBeforeTheKeyTable() throws {
        let folder = try damagedCopy { _ in }
        defer { folder.remove() }
        let url = folder.path("config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var text = try XCTUnwrap(config["text_config"] as? [String: Any])
        text["num_hidden_layers"] = 100_000
        config["text_config"] = text
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        let tensors = try SafeTensorsFile(url: folder.path("model.safetensors")).names.count
        XCTAssertEqual(loadError(folder.url), "\(folder.path("model.safetensors").path): text_config.num_hidden_layers asks for "
                       + "100000 layers, more than the \(tensors) tensors in the checkpoint")
    }

    func testUnexpectedTensorIsRefused() throws {
        let folder = try damagedCopy { $0.add("decoder.reduces.2.bias", shape: [8], floats: [Float](repeating: 0, count: 8)) }
        defer { folder.remove() }
        XCTAssertEqual(loadError(folder.url),
                       "\(folder.path("model.safetensors").path): unexpected tensor 'decoder.reduces.2.bias' not used by this configuration")
    }

    func testIntegerWeightIsRefused() throws {
        let folder = try damagedCopy {
            $0.add("clip.visual_projection.weight", dtype: .i32, shape: [16, 40], bytes: [UInt8](repeating: 0, count: 16 * 40 * 4))
        }
        defer { folder.remove() }
        XCTAssertEqual(loadError(folder.url),
                       "\(folder.path("model.safetensors").path): tensor 'clip.visual_projection.weight' has dtype I32, expected F32, F16 or BF16")
    }

    func testPositionIDBuffersOfOlderCheckpointsAreIgnored() throws {
        let folder = try damagedCopy {
            $0.add("clip.text_model.embeddings.position_ids", shape: [1, 16], int64s: (0..<16).map(Int64.init))
            $0.add("clip.vision_model.embeddings.position_ids", shape: [1, 17], int64s: (0..<17).map(Int64.init))
        }
        defer { folder.remove() }
        let withBuffers = try CLIPSegModel(directory: folder.url)
        let original = try CLIPSegModel(directory: fixture)
        let ids: [[Int32]] = [[98, 21, 10, 2, 99]]
        XCTAssertEqual(try withBuffers.embed(tokenIDs: ids), try original.embed(tokenIDs: ids))
    }

    func testMissingFilesAreNamed() throws {
        let folder = try damagedCopy { _ in }
        defer { folder.remove() }
        try FileManager.default.removeItem(at: folder.path("config.json"))
        XCTAssertEqual(loadError(folder.url), "model folder \(folder.url.path) has no config.json (the model configuration)")
        XCTAssertEqual(loadError(folder.path("absent")), "model folder \(folder.path("absent").path) does not exist or is not a folder")
    }

    func testSafeTensorsErrorsPassThrough() throws {
        let folder = try damagedCopy { _ in }
        defer { folder.remove() }
        let weights = folder.path("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 10).write(to: weights)
        let message = try XCTUnwrap(loadError(folder.url))
        XCTAssertTrue(message.hasPrefix("\(weights.path): "), message)
        XCTAssertFalse(message.contains("\n"), message)
    }

    func testTextWithoutTokenizerNamesTheMissingVocabulary() throws {
        let model = try CLIPSegModel(directory: fixture)
        XCTAssertThrowsError(try model.embed(text: ["a cat"])) { error in
            XCTAssertEqual(String(describing: error),
                           "model folder \(fixture.path) has no vocab.json (the tokenizer vocabulary, needed for text prompts)")
        }
    }
}
