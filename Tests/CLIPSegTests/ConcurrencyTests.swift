import Foundation
import XCTest
import TensorKit
@testable import CLIPSeg

/// One model shared by several threads at once (each with its own workspace) gives exactly the
/// results of sequential calls: the weights are immutable and no scratch memory is shared.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentSegmentationsEqualSequentialOnes() throws {
        let fixture = try ParityFixture.committed("p8-refined-f16-firsteos")
        let model = fixture.model
        let conditionals = try model.embed(tokenIDs: fixture.unpaddedIDs)
        let frames = try fixture.imageNames.map { try fixture.image($0) }
        let sequential = try frames.map { frame in
            try model.segment(rgb: frame.pixels, width: frame.width, height: frame.height, conditionals: conditionals)
        }
        let runs = 8
        let results = LockedResults(count: runs)
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            let frame = frames[run % frames.count]
            let workspace = InferenceWorkspace()
            results.set(run, Result {
                try model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                  conditionals: conditionals, workspace: workspace)
            })
        }
        for run in 0..<runs {
            XCTAssertEqual(try results.get(run).get(), sequential[run % frames.count], "run \(run)")
        }
    }
}

/// A workspace with several threads splits every layer (GEMM columns, attention heads, layer-norm
/// rows) and must give the single-threaded results, up to the rounding of GEMMs cut into other column
/// pieces: at most 1e-5, or twice what float32 rounding alone moves the case's logits in transformers
/// (p8-plain-f32's random attention is peaky: 1.9e-5 there; measured here 1.6e-5 with the AVX-512
/// kernels, 4.5e-6 with the portable ones).
final class ParallelWorkspaceTests: XCTestCase {
    func testThreadedWorkspaceMatchesSingleThreaded() throws {
        for name in ParityFixture.caseNames {
            let fixture = try ParityFixture.committed(name)
            let model = fixture.model
            let single = InferenceWorkspace(), threaded = InferenceWorkspace(threads: 3)
            let ids = fixture.unpaddedIDs
            let text = try model.embed(tokenIDs: ids, workspace: single)
            XCTAssertLessThanOrEqual(try model.embed(tokenIDs: ids, workspace: threaded).maxAbsoluteDifference(text), 1e-5, name)
            for image in fixture.imageNames {
                let frame = try fixture.image(image)
                let expected = try model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                                 conditionals: text, workspace: single)
                let actual = try model.segment(rgb: frame.pixels, width: frame.width, height: frame.height,
                                               conditionals: text, workspace: threaded)
                XCTAssertLessThanOrEqual(actual.maxAbsoluteDifference(expected), max(1e-5, 2 * fixture.float32RoundingNoise),
                                         "\(name) \(image)")
            }
        }
    }
}

private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<Tensor, Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<Tensor, Error>) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> Result<Tensor, Error> {
        lock.lock(); defer { lock.unlock() }
        return values[index] ?? .failure(CLIPSegError.invalidInput("run \(index) did not finish"))
    }
}
