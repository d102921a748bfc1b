import Foundation
@testable import Pipeline
import StreamKit
import VideoFrames
import XCTest

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

    /// Called before each read with the frame's number (e.g. to advance a manual clock: a slow read).
    private let onRead: (Int) -> Void

    init(count: Int, fps: Double = 25, failAfter: Int? = nil, onRead: @escaping (Int) -> Void = { _ in }) {
        self.count = count
        self.fps = fps
        self.failAfter = failAfter
        self.onRead = onRead
        info = SourceInfo(name: "scripted", width: 2, height: 1, frameRate: fps, frameCount: count)
    }

    func nextFrame() throws -> RGBFrame? {
        if closed { return nil }
        if let failAfter, next == failAfter { throw ReadError() }
        guard next < count else { return nil }
        onRead(next)
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

    /// Runs `source` through a realtime pump on `clock`, whose "sleeping" advances the clock, so the waits are
    /// exact; returns each frame's capture stamp and the sleeps.
    private static func pumpInRealtime(_ source: ScriptedSource, clock: ManualClock,
                                       output: BoundedChannel<CapturedFrame>) async throws -> (stamps: [Double], sleeps: [Double]) {
        let sleeps = LockedState<[Double]>([])
        let pump = SourcePump(source: source, outputs: [output], clock: clock,
                              pacing: .realtime(sleep: { seconds in
                                  sleeps.withLock { $0.append(seconds) }
                                  clock.advance(by: seconds)
                              }))
        pump.start()
        var stamps: [Double] = []
        for try await captured in output { stamps.append(captured.capturedAt) }
        _ = await pump.outcome()
        return (stamps, sleeps.withLock { $0 })
    }

    func testRealtimePacingWaitsForEachTimestamp() async throws {
        let clock = ManualClock(start: 100)
        let (times, sleeps) = try await Self.pumpInRealtime(ScriptedSource(count: 4, fps: 10), clock: clock,
                                                             output: BoundedChannel(.bufferingLatest(8), clock: clock))
        XCTAssertEqual(sleeps.count, 3)
        for (got, expected) in zip(times, [100.0, 100.1, 100.2, 100.3]) { XCTAssertEqual(got, expected, accuracy: 1e-9) }
    }

    func testRealtimeStampsALateReadAtItsDueTime() async throws {
        // Reading frame 2 takes 0.25 s (past the due times of frames 2 and 3): frames 2 and 3 are stamped at
        // their due times, 100.2 and 100.3, not at 100.35 when they were read, so the delay counts in the latency.
        let clock = ManualClock(start: 100)
        let source = ScriptedSource(count: 4, fps: 10) { number in if number == 2 { clock.advance(by: 0.25) } }
        let (times, sleeps) = try await Self.pumpInRealtime(source, clock: clock,
                                                             output: BoundedChannel(.bounded(8), clock: clock))
        XCTAssertEqual(sleeps.count, 1, "only frame 1 was read before it was due")
        XCTAssertEqual(times.count, 4)
        for (got, expected) in zip(times, [100.0, 100.1, 100.2, 100.3]) { XCTAssertEqual(got, expected, accuracy: 1e-9) }
    }

    func testNicenessLowersOnlyTheReadingThread() async throws {
        let seen = LockedState<[Int32]>([])
        let before = ThreadNiceness.current
        let source = ScriptedSource(count: 2) { _ in seen.withLock { $0.append(ThreadNiceness.current) } }
        let output = BoundedChannel<CapturedFrame>(.bounded(4))
        let pump = SourcePump(source: source, outputs: [output], niceness: 3)
        pump.start()
        for try await _ in output {}
        _ = await pump.outcome()
        XCTAssertEqual(seen.withLock { $0 }, [min(19, before + 3), min(19, before + 3)])
        XCTAssertEqual(ThreadNiceness.current, before)
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
