import Foundation
import XCTest
import TestSupport

/// "Check your download" (README): with `CLIPSEG_REAL_CHECKPOINT` naming the real CIDAS/clipseg-rd64-refined
/// (a folder, or the hub id once `clipseg download` has fetched it), `clipseg image` on COCO picture 39769 with
/// "a cat", "a remote", "a blanket" gives the logits transformers' integration test expects from those weights
/// (tests/models/clipseg/test_modeling_clipseg.py). The picture here is a PNG of the JPEG the test downloads, so
/// a level here and there differs: the tolerance is 1e-2 rather than the test's 1e-3.
final class RealCheckpointTests: XCTestCase {
    static let expectedTopLeft: [[Float]] = [[-7.4613, -7.4785, -7.3628], [-7.3268, -7.0899, -7.1333], [-6.9838, -6.7900, -6.8913]]

    func testRealCheckpointGivesTheIntegrationTestsLogits() throws {
        guard let model = ProcessInfo.processInfo.environment["CLIPSEG_REAL_CHECKPOINT"], !model.isEmpty else {
            throw XCTSkip("set CLIPSEG_REAL_CHECKPOINT to the downloaded CIDAS/clipseg-rd64-refined (a folder or the id) "
                          + "to check it against transformers' integration test; no weights ship with the project")
        }
        let folder = try TemporaryDirectory(prefix: "clipseg-real-checkpoint")
        defer { folder.remove() }
        let picture = TestPaths.fixtures.appendingPathComponent("cidas-clipseg-rd64-refined/coco-000000039769.png")
        let logits = folder.path("logits.npy")
        let result = try ChildProcess.run(TestPaths.clipsegBinary,
                                          ["image", picture.path, "--model", model, "--prompt", "a cat", "--prompt", "a remote",
                                           "--prompt", "a blanket", "--logits", logits.path],
                                          timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let (shape, values) = try NPY.readFloat32(logits)
        XCTAssertEqual(shape, [3, 352, 352])
        guard shape == [3, 352, 352] else { return }
        var worst: Float = 0
        for row in 0..<3 {
            for column in 0..<3 {
                let difference = abs(values[row * 352 + column] - Self.expectedTopLeft[row][column])
                worst = max(worst, difference)
                XCTAssertLessThan(difference, 1e-2, "logits[0, \(row), \(column)] = \(values[row * 352 + column])")
            }
        }
        print("real checkpoint: logits[0, :3, :3] within \(worst) of transformers' integration test")
    }
}
