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
