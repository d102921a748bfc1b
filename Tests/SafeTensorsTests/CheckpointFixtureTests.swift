import XCTest
import Foundation
import TestSupport
import SafeTensors

/// Reads safetensors files written by Python (`save_pretrained` / `safetensors.torch.save_file`):
/// the committed fixtures under `Tests/Fixtures/clipseg/<case>/` (made by `Tools/make_fixtures.py`)
/// and, when `CLIPSEG_FULL_CHECKPOINT` names a folder, the full-size checkpoint.
/// Values are checked against figures the script wrote separately into `reference.json`.
final class CheckpointFixtureTests: XCTestCase {
    /// The committed cases: the folder must hold exactly these, so a fixture that goes missing fails
    /// here instead of shrinking the loops below.
    static let caseNames = ["p16-refined-bf16-clipvocab", "p8-plain-f32", "p8-refined-f16-firsteos"]

    private var caseFolders: [URL] {
        get throws {
            let root = TestPaths.fixtures.appendingPathComponent("clipseg")
            let folders = try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
                .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("model.safetensors").path) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            XCTAssertEqual(folders.map(\.lastPathComponent), Self.caseNames, "Tests/Fixtures/clipseg/*/model.safetensors")
            return folders
        }
    }

    private func referenceJSON(_ folder: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("reference.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testModelWeightsAreStoredInTheCaseDTypeAndConvert() throws {
        let folders = try caseFolders
        let dtypes: [String: SafeTensorsDType] = ["float32": .f32, "float16": .f16, "bfloat16": .bf16]
        for folder in folders {
            let reference = try referenceJSON(folder)
            let storage = try XCTUnwrap(reference["storage_dtype"] as? String)
            let expectedDType = try XCTUnwrap(dtypes[storage], "storage_dtype \(storage)")
            let model = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
            XCTAssertEqual(model.metadata["format"], "pt", folder.lastPathComponent)
            XCTAssertFalse(model.names.isEmpty)
            XCTAssertNotNil(model.info("clip.logit_scale"), folder.lastPathComponent)
            for info in model.tensors where info.dtype != .i64 {
                XCTAssertEqual(info.dtype, expectedDType, "\(folder.lastPathComponent) \(info.name)")
                let values = try model.floats(info.name)
                XCTAssertEqual(values.count, info.shape.reduce(1, *), info.name)
                XCTAssertTrue(values.allSatisfy(\.isFinite), "\(folder.lastPathComponent) \(info.name) has non-finite values")
            }
        }
    }

    func testReferenceTensorsMatchTheFiguresInReferenceJSON() throws {
        let folders = try caseFolders
        for folder in folders {
            let reference = try referenceJSON(folder)
            let tensors = try SafeTensorsFile(url: folder.appendingPathComponent("reference.safetensors"))

            // input_ids: I64 [P, L], each row the unpadded ids from reference.json followed by padding.
            let ids = try XCTUnwrap(reference["input_ids"] as? [[Int]])
            let idsInfo = try XCTUnwrap(tensors.info("input_ids"))
            XCTAssertEqual(idsInfo.dtype, .i64)
            let length = try XCTUnwrap(idsInfo.shape.last)
            XCTAssertEqual(idsInfo.shape, [ids.count, length])
            let padded = try tensors.int64s("input_ids")
            for (row, rowIDs) in ids.enumerated() {
                XCTAssertEqual(padded[row * length..<row * length + rowIDs.count].map(Int.init), rowIDs, "\(folder.lastPathComponent) row \(row)")
            }

            // Every F32 reference tensor's largest magnitude equals the script's max_abs_per_tensor figure, a
            // Python float printed from that F32 value. Compared as Float: Foundation's JSON number parsing
            // on Linux can be off in the last bit of a Double, never by half a Float ulp.
            let maxAbs = try XCTUnwrap(reference["max_abs_per_tensor"] as? [String: Double])
            XCTAssertFalse(maxAbs.isEmpty)
            for (name, figure) in maxAbs {
                let values = try tensors.floats(name)
                let largest = largestKeepingNaN(values.lazy.map(abs))
                XCTAssertEqual(largest, Float(figure), "\(folder.lastPathComponent) \(name)")
            }
        }
    }

    func testFullCheckpointWhenProvided() throws {
        let folder = ProcessInfo.processInfo.environment["CLIPSEG_FULL_CHECKPOINT"]
        try XCTSkipIf(folder == nil, "CLIPSEG_FULL_CHECKPOINT not set")
        let model = try SafeTensorsFile(url: URL(fileURLWithPath: try XCTUnwrap(folder)).appendingPathComponent("model.safetensors"))
        XCTAssertEqual(try model.int64s("clip.text_model.embeddings.position_ids"), (0..<77).map(Int64.init))
        XCTAssertEqual(try model.int64s("clip.vision_model.embeddings.position_ids"), (0..<197).map(Int64.init))
        let patch = try XCTUnwrap(model.info("clip.vision_model.embeddings.patch_embedding.weight"))
        XCTAssertEqual(patch.dtype, .f32)
        XCTAssertEqual(patch.shape, [768, 3, 16, 16])
        XCTAssertEqual(try model.floats(patch.name).count, 768 * 3 * 16 * 16)
    }
}
