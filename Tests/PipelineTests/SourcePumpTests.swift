import Foundation
import XCTest
import MediaIO
@testable import Pipeline

/// A scripted source: `count` 2x1 frames at `fps`, optionally failing after `failAfter` frames.
private final class ScriptedSource: FrameSource, @unchecked Sendable {
    let info: SourceInfo
    private let count: Int
    private let fps: Double
    private let failAfter: Int?
    private var next = 0
    private(set) var closed = false
    var warnings: [String] { failAfter == nil ? [] : ["damaged packet skipped"] }

    struct ReadError: Error, Equatable {}

    init(count: Int, fps: Double = 25, failAfter: Int? = nil) {
        self.count = count
        self.fps = fps
        self.failAfter = failAfter
        info = SourceInfo(name: "scripted", width: 2, height: 1, frameRate: fps, frameCount: count)
    }

    func nextFrame() throws -> RGBFrame? {
        if closed { return nil }
        if let failAfter, next == failAfter { throw ReadError() }
        guard next < count else { return nil }
        defer { next += 1 }
        return RGBFrame(width: 2, height: 1, pixels: [UInt8](repeating: UInt8(next % 256), count: 6),
                        timestamp: Double(next) / fps, index: next)
    }

    func close() { closed = true }
}

final class SourcePumpTests: XCTestCase {
    private static func drain(_ channel: BoundedChannel<CapturedFrame>) async throws -> [Int] {
        var indices: [Int] = []
        for try await captured in channel { indices.append(captured.frame.index) }
        return indices
    }

    func testEveryFrameReachesEveryOutputInOrder() async throws {
        let source = ScriptedSource(count: 40)
        let toModel = BoundedChannel<CapturedFrame>(.bounded(2))
        let toWriter = BoundedChannel<CapturedFrame>(.bounded(3))
        let pump = SourcePump(source: source, outputs: [toModel, toWriter])
        pump.start()
        async let model = Self.drain(toModel)
        async let writer = Self.drain(toWriter)
        let (modelFrames, writerFrames) = try await (model, writer)
        let outcome = await pump.outcome()
        XCTAssertEqual(modelFrames, Array(0..<40))
        XCTAssertEqual(writerFrames, Array(0..<40))
        XCTAssertEqual(outcome.framesRead, 40)
        guard case .endOfInput = outcome.ending else { return XCTFail("ending \(outcome.ending)") }
        XCTAssertTrue(source.closed)
    }

    func testRealtimePacingWaitsForEachTimestamp() async throws {
        // Time is a ManualClock; "sleeping" advances it, so the waits are checked exactly.
        let clock = ManualClock(start: 100)
        let sleeps = LockedState<[Double]>([])
        let source = ScriptedSource(count: 4, fps: 10)
        let output = BoundedChannel<CapturedFrame>(.bufferingLatest(8), clock: clock)
        let pump = SourcePump(source: source, outputs: [output], clock: clock,
                              pacing: .realtime(sleep: { seconds in
                                  sleeps.withLock { $0.append(seconds) }
                                  clock.advance(by: seconds)
                              }))
        pump.start()
        var times: [Double] = []
        for try await captured in output { times.append(captured.capturedAt) }
        _ = await pump.outcome()
        XCTAssertEqual(sleeps.withLock { $0 }.count, 3)
        for (got, expected) in zip(times, [100.0, 100.1, 100.2, 100.3]) { XCTAssertEqual(got, expected, accuracy: 1e-9) }
    }

    func testReadErrorFailsOutputsAfterTheGoodFrames() async throws {
        let source = ScriptedSource(count: 10, failAfter: 3)
        let output = BoundedChannel<CapturedFrame>(.bounded(16))
        let pump = SourcePump(source: source, outputs: [output])
        pump.start()
        var indices: [Int] = []
        do {
            for try await captured in output { indices.append(captured.frame.index) }
            XCTFail("the read error should reach the consumer")
        } catch is ScriptedSource.ReadError {}
        XCTAssertEqual(indices, [0, 1, 2])
        let outcome = await pump.outcome()
        guard case .failed = outcome.ending else { return XCTFail("ending \(outcome.ending)") }
        XCTAssertEqual(outcome.warnings, ["damaged packet skipped"])
        XCTAssertTrue(source.closed)
    }

    func testStopEndsTheRunAndFinishesOutputs() async throws {
        let source = ScriptedSource(count: 1_000_000)
        let output = BoundedChannel<CapturedFrame>(.bounded(1))
        let pump = SourcePump(source: source, outputs: [output])
        pump.start()
        var received = 0
        for try await _ in output {
            received += 1
            if received == 5 { pump.stop() }
        }
        let outcome = await pump.outcome()
        guard case .stopped = outcome.ending else { return XCTFail("ending \(outcome.ending)") }
        // Frames already read when stop() was seen are still delivered: at most capacity + 1 more.
        XCTAssertEqual(received, outcome.framesRead)
        XCTAssertLessThanOrEqual(outcome.framesRead, 5 + 2)
        XCTAssertTrue(source.closed)
    }

    func testCancelledOutputStopsThePump() async throws {
        let source = ScriptedSource(count: 1_000_000)
        let output = BoundedChannel<CapturedFrame>(.bounded(1))
        let pump = SourcePump(source: source, outputs: [output])
        pump.start()
        _ = try await output.next()
        output.cancel()
        let outcome = await pump.outcome()
        guard case .outputClosed = outcome.ending else { return XCTFail("ending \(outcome.ending)") }
        XCTAssertTrue(source.closed)
    }
}
