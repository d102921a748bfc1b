import Foundation
import MaskRender
@testable import Pipeline
import StreamKit
import TestSupport
import VideoFrames
import XCTest

/// Live runs keep capture → output latency bounded whatever stage is slow: a decoder slower than real
/// time skips ahead (`FrameSource.skip(until:)`), and frames that grow stale in front of a slow compositor
/// or encoder are passed over. Real time on a small scale (a 20 fps source for a few seconds).
final class BoundedLatencyTests: XCTestCase {
    /// `count` frames at 20 fps whose decoding takes `decodeSeconds` each (slower than real time), except
    /// those passed over by `skip(until:)`, which cost nothing.
    final class SlowDecodingSource: FrameSource, @unchecked Sendable {
        let count: Int, decodeSeconds: Double, canSkip: Bool
        private var next = 0, target: Double?
        private(set) var framesSkipped = 0

        init(count: Int, decodeSeconds: Double, canSkip: Bool = true) {
            self.count = count
            self.decodeSeconds = decodeSeconds
            self.canSkip = canSkip
        }

        var info: SourceInfo { SourceInfo(name: "slow", width: 4, height: 2, frameRate: 20, isLive: false) }
        var warnings: [String] { [] }

        func nextFrame() throws -> RGBFrame? {
            while next < count, let target, Double(next) / 20 < target {
                next += 1
                framesSkipped += 1
            }
            target = nil
            guard next < count else { return nil }
            defer { next += 1 }
            Thread.sleep(forTimeInterval: decodeSeconds)
            return RGBFrame(width: 4, height: 2, pixels: [UInt8](repeating: 9, count: 24), timestamp: Double(next) / 20,
                            index: next)
        }

        func skip(until timestamp: Double) -> Bool {
            guard canSkip else { return false }
            target = timestamp
            return true
        }

        func close() {}
    }

    /// A sink that takes `seconds` per frame (a slow encoder) and notes when each frame arrived.
    final class SlowSink: FrameSink, @unchecked Sendable {
        let name = "slow"
        let needs: SinkNeeds = [.picture]
        let seconds: Double
        private let lock = NSLock()
        private var arrivals: [(index: Int, timestamp: Double, at: Double)] = []
        var warnings: [String] { [] }

        init(seconds: Double) { self.seconds = seconds }

        func write(_ frame: ComposedFrame) throws {
            let now = SystemClock().now()
            lock.withLock { arrivals.append((frame.index, frame.timestamp, now)) }
            Thread.sleep(forTimeInterval: seconds)
        }

        func finish() throws {}

        /// Output time of each frame minus its due time (capture of the first frame written + its timestamp),
        /// so the first frame is at 0 and a growing backlog shows as growing values.
        var lateness: [Double] {
            lock.withLock {
                guard let first = arrivals.first else { return [] }
                return arrivals.map { ($0.at - first.at) - ($0.timestamp - first.timestamp) }
            }
        }

        var indices: [Int] { lock.withLock { arrivals.map(\.index) } }
    }

    private func run(source: any FrameSource & Sendable, sink: SlowSink) async throws -> SegmentationOutcome {
        let backend = FakeBackend(log: CallLog())
        let book = try PromptBook(texts: ["cat"], images: [], negatives: [], embeddingSize: 2) {
            try backend.embed(texts: $0, scratch: ())
        }
        let settings = CompositionSettings(mode: .matte, keepDroppedFrames: true, outputWidth: 4, outputHeight: 2)
        let pipeline = SegmentationPipeline(backend: backend, prompts: book, composition: settings,
                                            flow: .init(live: true, realtime: true, frameRate: 20),
                                            source: source, sinks: [sink])
        return await pipeline.run()
    }

    func testADecoderSlowerThanRealTimeSkipsAheadInsteadOfFallingBehind() async throws {
        // 2 s of frames, each taking 1.5 frame periods to decode: without skipping, the last one would be
        // written about a second late.
        let source = SlowDecodingSource(count: 40, decodeSeconds: 0.075)
        let sink = SlowSink(seconds: 0)
        let outcome = try await run(source: source, sink: sink)
        guard case .completed = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertGreaterThan(outcome.skippedLate, 0, "frames skipped at the source")
        XCTAssertEqual(outcome.framesRead + outcome.skippedLate, 40, "every frame read or counted as skipped")
        XCTAssertLessThan(sink.lateness.max() ?? .infinity, 0.6, "latency bounded (the bound is 0.2 s here; 1 s unbounded)")
        XCTAssertGreaterThanOrEqual(sink.indices.last ?? 0, 30, "the run went on to the end of the input")
    }

    func testASourceThatCannotSkipIsFollowedAtItsOwnPace() async throws {
        let source = SlowDecodingSource(count: 30, decodeSeconds: 0.075, canSkip: false)
        let sink = SlowSink(seconds: 0)
        let outcome = try await run(source: source, sink: sink)
        XCTAssertEqual(outcome.framesRead, 30, "every frame read and sent")
        XCTAssertEqual(outcome.skippedLate, 0)
        XCTAssertEqual(sink.indices, Array(0..<30))
        XCTAssertLessThan(outcome.figures.latencyP95 ?? .infinity, 0.45)
    }

    func testFramesGrowingStaleInFrontOfASlowEncoderArePassedOver() async throws {
        // The encoder takes 2.5 frame periods a frame: without passing over, 3 s of frames would be written
        // over 7.5 s, the last ones 4.5 s late.
        let source = SlowDecodingSource(count: 60, decodeSeconds: 0)
        let sink = SlowSink(seconds: 0.125)
        let outcome = try await run(source: source, sink: sink)
        guard case .completed = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertGreaterThan(outcome.figures.skippedBeforeCompose, 0)
        XCTAssertEqual(sink.indices.count + outcome.figures.skippedBeforeCompose, 60, "every frame written or counted")
        XCTAssertEqual(sink.indices, sink.indices.sorted(), "in capture order")
        XCTAssertLessThan(sink.lateness.max() ?? .infinity, 2.0,
                          "latency bounded: the bound, the sink queue's frames and one write, with margin for a loaded machine (4.5 s unbounded)")
    }
}
