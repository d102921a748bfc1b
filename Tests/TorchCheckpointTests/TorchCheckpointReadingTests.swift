import Foundation
import SafeTensors
import TestSupport
import TorchCheckpoint
import XCTest

/// Checkpoints saved by torch itself (Tools/make_torch_checkpoint_fixtures.py) read as the same tensors
/// that safetensors holds for them: every dtype, views with offsets and strides, shared storages,
/// scalars, empty tensors, parameters, pickle protocols 2 and 4.
final class TorchCheckpointReadingTests: XCTestCase {
    static let folder = TestPaths.fixtures.appendingPathComponent("torch-checkpoint")

    func testEveryTensorReadsAsTorchSavedIt() throws {
        let expected = try SafeTensorsFile(url: Self.folder.appendingPathComponent("views.safetensors"))
        for file in ["views.bin", "views-protocol4.bin"] {
            let checkpoint = try TorchCheckpointFile(url: Self.folder.appendingPathComponent(file))
            XCTAssertEqual(checkpoint.names, expected.names, file)
            for name in expected.names {
                let info = try XCTUnwrap(checkpoint.info(name), name)
                let reference = try XCTUnwrap(expected.info(name))
                XCTAssertEqual(info.shape, reference.shape, "\(file) \(name)")
                XCTAssertEqual(info.dtype, reference.dtype, "\(file) \(name)")
                if reference.dtype.isConvertibleToFloat {
                    XCTAssertEqual(try checkpoint.floats(name).map(\.bitPattern), try expected.floats(name).map(\.bitPattern),
                                   "\(file) \(name)")
                } else {
                    XCTAssertEqual(try checkpoint.int64s(name), try expected.int64s(name), "\(file) \(name)")
                }
            }
        }
    }

    func testViewsKeepTheirOffsetsAndStrides() throws {
        let checkpoint = try TorchCheckpointFile(url: Self.folder.appendingPathComponent("views.bin"))
        let matrix = try XCTUnwrap(checkpoint.info("f32.matrix"))
        XCTAssertTrue(matrix.isContiguous)
        XCTAssertEqual(checkpoint.info("f32.transposed")?.strides, [1, 6])
        XCTAssertEqual(checkpoint.info("f32.transposed")?.isContiguous, false)
        XCTAssertEqual(checkpoint.info("f32.slice")?.storageOffset, 8)
        XCTAssertEqual(checkpoint.info("f32.every-other-column")?.strides, [6, 2])
        // Views of one tensor share its storage, as do the two halves of `shared`.
        XCTAssertEqual(checkpoint.info("f32.transposed")?.storageKey, matrix.storageKey)
        XCTAssertEqual(checkpoint.info("shared.first")?.storageKey, checkpoint.info("shared.second")?.storageKey)
        XCTAssertEqual(checkpoint.info("shared.second")?.storageOffset, 6)
        XCTAssertEqual(try checkpoint.floats("shared.second"), [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(checkpoint.info("f32.scalar")?.shape, [])
        XCTAssertEqual(try checkpoint.floats("f32.scalar"), [2.5])
        XCTAssertEqual(try checkpoint.floats("f32.empty"), [])
        XCTAssertEqual(try checkpoint.int64s("i64.position_ids"), (0..<10).map { Int64($0) })
        XCTAssertEqual(try checkpoint.int64s("bool.mask"), [1, 0, 1])
    }

    func testAskingForTheWrongTypeOrAnUnknownNameIsAnError() throws {
        let checkpoint = try TorchCheckpointFile(url: Self.folder.appendingPathComponent("views.bin"))
        XCTAssertThrowsError(try checkpoint.floats("i64.position_ids")) { error in
            XCTAssertTrue("\(error)".hasSuffix("views.bin: tensor 'i64.position_ids' is I64, not convertible to Float32"), "\(error)")
        }
        XCTAssertThrowsError(try checkpoint.int64s("f32.matrix"))
        XCTAssertThrowsError(try checkpoint.floats("nope")) { error in
            XCTAssertEqual((error as? TorchCheckpointError)?.kind, .unknownTensor("nope"))
        }
    }
}
