import Foundation
import MaskRender
@testable import Pipeline
import TestSupport
import XCTest

/// The whole chain with fake stages (`SegmentationFakes.swift`): ordering, the vision encoder once per
/// frame, drops in one place with every frame still written, control commands, stop, failure, a closed
/// output. No timing: where a test needs a particular interleaving it holds the fake encoder at a frame.
final class SegmentationPipelineTests: XCTestCase {
    private func makePipeline(backend: FakeBackend, source: NumberedSource, prompts: [String] = ["cat"],
                              live: Bool = false, keep: Bool = true, mode: OutputMode = .matte,
                              decodeMasksBeforeNextFrame: Bool = false,
                              sinks: [RecordingSink]) throws -> SegmentationPipeline<FakeBackend> {
        let book = try PromptBook(texts: prompts, images: [], negatives: [], embeddingSize: 2) {
            try backend.embed(texts: $0, scratch: ())
        }
        let settings = CompositionSettings(mode: mode, keepDroppedFrames: keep, outputWidth: 4, outputHeight: 2)
        return SegmentationPipeline(backend: backend, prompts: book, composition: settings,
                                    flow: .init(live: live, decodeMasksBeforeNextFrame: decodeMasksBeforeNextFrame),
                                    source: source, sinks: sinks)
    }

    func testEveryFrameIsWrittenInOrderAndEncodedOnceWhateverThePromptCount() async throws {
        let log = CallLog()
        let sink = RecordingSink()
        let pipeline = try makePipeline(backend: FakeBackend(log: log), source: NumberedSource(count: 30),
                                        prompts: ["a red circle", "cat", "the small blue square"], sinks: [sink])
        let outcome = await pipeline.run()

        guard case .completed = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertEqual(sink.record.frames.map(\.index), Array(0..<30))
        XCTAssertEqual(sink.record.frames.map(\.timestamp), (0..<30).map { Double($0) / 10 })
        XCTAssertEqual(log.encodedFrames, Array(0..<30), "the vision encoder runs once per frame")
        XCTAssertEqual(log.decodedFrames.map(\.frame), Array(0..<30))
        XCTAssertTrue(log.decodedFrames.allSatisfy { $0.prompts == 3 }, "all prompts decoded in one batch")
        XCTAssertEqual(log.embeddedTexts, ["a red circle", "cat", "the small blue square"], "embedded once, at start")
        XCTAssertEqual(outcome.framesRead, 30)
        XCTAssertEqual(outcome.dropped, 0)
        XCTAssertEqual(outcome.figures.visionRuns, 30)
        XCTAssertEqual(outcome.figures.written, 30)
        XCTAssertEqual(sink.record.finishCount, 1)
        // Matte of even frames is white, odd frames black (the fake's logits).
        for frame in sink.record.frames {
            XCTAssertEqual(Set(frame.picture?.pixels ?? []), [frame.index % 2 == 0 ? 255 : 0], "frame \(frame.index)")
            XCTAssertEqual(frame.maskPlanes.count, 1)
            XCTAssertNil(maskFrame(of: frame.statistics))
            XCTAssertEqual(promptNames(of: frame.statistics), ["a red circle", "cat", "the small blue square"])
        }
    }

    /// Live: while the encoder is busy with frame 0, frames 1…9 arrive; 1…8 are dropped in front of the
    /// encoder, 9 waits. With keep-frames all ten are written, 1…8 with frame 0's mask.
    private func runLiveBurst(keep: Bool) async throws -> (SegmentationOutcome, [ComposedFrame], CallLog) {
        let log = CallLog(), gate = EncoderGate(holding: [0])
        let sink = RecordingSink()
        let pipeline = try makePipeline(backend: FakeBackend(log: log, gate: gate),
                                        source: NumberedSource(count: 10, live: true), live: true, keep: keep,
                                        sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("frames 1…8 were dropped") { pipeline.progress().dropped == 8 }
        XCTAssertTrue(gate.isWaiting(at: 0))
        gate.open(0)
        return (await outcome, sink.record.frames, log)
    }

    func testLiveSourceDropsBeforeTheEncoderAndKeepsEveryFrameWithTheLatestMask() async throws {
        let (outcome, frames, log) = try await runLiveBurst(keep: true)
        XCTAssertEqual(log.encodedFrames, [0, 9])
        XCTAssertEqual(outcome.dropped, 8)
        XCTAssertEqual(outcome.framesRead, 10)
        XCTAssertEqual(frames.map(\.index), Array(0..<10))
        XCTAssertEqual(frames.map { maskFrame(of: $0.statistics) }, [nil] + Array(repeating: 0, count: 8) + [nil])
        // Frame 0 (even) is white; 1…8 reuse it; 9 (odd) has its own, black.
        XCTAssertEqual(frames.map { $0.maskPlanes.first?.first }, Array(repeating: 255, count: 9) + [0])
        XCTAssertEqual(outcome.figures.processed, 2)
        XCTAssertEqual(outcome.figures.reusedMasks, 8)
        XCTAssertEqual(outcome.figures.written, 10)
    }

    func testProcessedOnlyWritesOnlyTheFramesTheModelSaw() async throws {
        let (outcome, frames, _) = try await runLiveBurst(keep: false)
        XCTAssertEqual(frames.map(\.index), [0, 9])
        XCTAssertEqual(outcome.figures.written, 2)
        XCTAssertEqual(outcome.dropped, 8)
    }

    func testPromptChangeTakesEffectFromTheNextDecodedFrame() async throws {
        let log = CallLog(), gate = EncoderGate(holding: [3])
        let sink = RecordingSink()
        let pipeline = try makePipeline(backend: FakeBackend(log: log, gate: gate), source: NumberedSource(count: 6),
                                        prompts: ["cat"], sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("frames 0…2 were decoded") { log.decodedFrames.count == 3 && gate.isWaiting(at: 3) }
        let effect = await pipeline.apply(.setPrompts(["cat", "a dog"]))
        XCTAssertEqual(effect, .promptsChanged(added: ["a dog"], removed: []))
        let duplicate = await pipeline.apply(.addPrompt("CAT"))
        XCTAssertEqual(duplicate, .refused("prompt 'CAT' is already in use (as 'cat')"))
        gate.open(3)
        let result = await outcome
        guard case .completed = result.ending else { return XCTFail("ended \(result.ending)") }
        let names = sink.record.frames.map { promptNames(of: $0.statistics) }
        XCTAssertEqual(names, Array(repeating: ["cat"], count: 3) + Array(repeating: ["cat", "a dog"], count: 3))
        XCTAssertEqual(log.decodedFrames.map(\.prompts), [1, 1, 1, 2, 2, 2])
        XCTAssertEqual(log.embeddedTexts, ["cat", "a dog"], "only the new prompt is embedded")
        XCTAssertEqual(log.encodedFrames.count, 6)
    }

    func testThresholdCommandAppliesToTheNextFrame() async throws {
        let log = CallLog(), gate = EncoderGate(holding: [2])
        let sink = RecordingSink()
        // Prompt "abc" gives logits ±3: sigmoid(3) ≈ 0.953 on even frames.
        let pipeline = try makePipeline(backend: FakeBackend(log: log, gate: gate), source: NumberedSource(count: 3),
                                        prompts: ["abc"], sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("frames 0 and 1 were composed") { pipeline.monitor.figures.written == 2 && gate.isWaiting(at: 2) }
        let changed = await pipeline.apply(.threshold(0.99))
        XCTAssertEqual(changed, .thresholdChanged(0.99))
        gate.open(2)
        _ = await outcome
        XCTAssertEqual(sink.record.frames.map { $0.maskPlanes.first?.first }, [255, 0, 0])
    }

    func testSmoothCommandAveragesTheMasksFromTheNextFrame() async throws {
        let log = CallLog(), gate = EncoderGate(holding: [0])
        let sink = RecordingSink()
        // Logits +3 on even frames, -3 on odd ones: p ≈ 0.953, 0.047, 0.953. Without smoothing the odd frame's
        // mask is empty; with half weight on the newest frame its p is ≈ 0.5, over the threshold 0.4.
        let pipeline = try makePipeline(backend: FakeBackend(log: log, gate: gate), source: NumberedSource(count: 3),
                                        prompts: ["abc"], sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("the encoder reached frame 0") { gate.isWaiting(at: 0) }
        let changed = await pipeline.apply(.smoothing(0.5))
        XCTAssertEqual(changed, .smoothingChanged(0.5))
        gate.open(0)
        _ = await outcome
        XCTAssertEqual(sink.record.frames.map { $0.maskPlanes.first?.first }, [255, 255, 255])
    }

    func testStopDrainsWhatWasReadAndEndsStopped() async throws {
        let log = CallLog(), gate = EncoderGate(holding: [4])
        let sink = RecordingSink()
        let source = NumberedSource(count: 1000)
        let pipeline = try makePipeline(backend: FakeBackend(log: log, gate: gate), source: source, sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("the encoder reached frame 4") { gate.isWaiting(at: 4) }
        pipeline.stop()
        gate.open(4)
        let result = await outcome
        guard case .stopped = result.ending else { return XCTFail("ended \(result.ending)") }
        XCTAssertLessThan(result.framesRead, 1000)
        XCTAssertEqual(sink.record.frames.map(\.index), Array(0..<result.framesRead), "every frame read is written")
        XCTAssertEqual(log.encodedFrames.count, result.framesRead)
        XCTAssertEqual(sink.record.finishCount, 1)
        XCTAssertTrue(source.closed)
        XCTAssertEqual(result.framesWrittenPerOutput, [result.framesRead])
    }

    /// `stop()` before `run()` (a signal at the very end of setup): nothing is read, the sinks are finished
    /// and reported with no frame written.
    func testStopBeforeRunReadsNothingAndStillFinishesTheSinks() async throws {
        let video = RecordingSink(name: "out.mp4"), masks = RecordingSink(name: "m.y4m", needs: .masks)
        let source = NumberedSource(count: 100)
        let pipeline = try makePipeline(backend: FakeBackend(log: CallLog()), source: source, sinks: [video, masks])
        pipeline.stop()
        let outcome = await pipeline.run()
        guard case .stopped = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertEqual(outcome.framesRead, 0)
        XCTAssertEqual(outcome.framesWrittenPerOutput, [0, 0])
        XCTAssertEqual([video.record.finishCount, masks.record.finishCount], [1, 1])
        XCTAssertTrue(source.closed)
    }

    /// A sink whose write fails fails the run; its report keeps the frames it wrote before (so the caller
    /// keeps a file that has frames), and the other sink is still finished.
    func testFailingSinkFailsTheRunAndReportsTheFramesItWrote() async throws {
        let failing = RecordingSink(name: "out.mp4", needs: .picture, failAfter: 4)
        let other = RecordingSink(name: "stats.ndjson", needs: .statistics)
        let pipeline = try makePipeline(backend: FakeBackend(log: CallLog()), source: NumberedSource(count: 100_000),
                                        sinks: [failing, other])
        let outcome = await pipeline.run()
        guard case .failed(let error) = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertEqual(String(describing: error), String(describing: FakeWriteError.writeFailed("out.mp4", reason: "disk full")))
        XCTAssertEqual(failing.record.frames.count, 4)
        XCTAssertEqual(outcome.framesWrittenPerOutput, [4, other.record.frames.count])
        XCTAssertEqual([failing.record.finishCount, other.record.finishCount], [1, 1])
    }

    /// Also while taking turns (live runs): nothing then waits for a decoder that is gone.
    func testEncoderFailureFailsTheRunAndStillFinishesTheSinks() async throws {
        for turns in [false, true] {
            let sink = RecordingSink()
            let pipeline = try makePipeline(backend: FakeBackend(log: CallLog(), failAt: 5), source: NumberedSource(count: 100),
                                            decodeMasksBeforeNextFrame: turns, sinks: [sink])
            let outcome = await pipeline.run()
            guard case .failed(let error) = outcome.ending else { return XCTFail("turns \(turns): ended \(outcome.ending)") }
            XCTAssertEqual(error as? FakeBackend.Failure, FakeBackend.Failure(), "turns \(turns)")
            XCTAssertEqual(sink.record.finishCount, 1, "turns \(turns)")
            XCTAssertEqual(sink.record.frames.map(\.index), Array(0..<sink.record.frames.count), "turns \(turns)")
            XCTAssertLessThanOrEqual(sink.record.frames.count, 5, "turns \(turns)")
            XCTAssertEqual(outcome.framesWrittenPerOutput, [sink.record.frames.count], "turns \(turns)")
        }
    }

    func testClosedOutputStopsTheRunCleanlyAndTheOtherSinksGetEveryFrameRead() async throws {
        let log = CallLog()
        let closing = RecordingSink(name: "standard output", needs: .masks, closeAfter: 3)
        let other = RecordingSink(name: "stats.ndjson", needs: .statistics)
        let pipeline = try makePipeline(backend: FakeBackend(log: log), source: NumberedSource(count: 100_000),
                                        sinks: [closing, other])
        let outcome = await pipeline.run()
        guard case .stopped = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertEqual(outcome.closedOutputs, ["standard output"])
        XCTAssertEqual(closing.record.frames.count, 3)
        XCTAssertLessThan(outcome.framesRead, 100_000)
        XCTAssertEqual(other.record.frames.map(\.index), Array(0..<outcome.framesRead))
        XCTAssertEqual(other.record.finishCount, 1)
        XCTAssertEqual(closing.record.finishCount, 1)
        XCTAssertEqual(outcome.framesWrittenPerOutput, [3, outcome.framesRead])
    }

    /// Live runs' turns (here on a file, so that every frame is encoded and overlap would be certain
    /// without them): the encoder waits for each frame's decode, so the two never run at once (what the
    /// removed `exclusiveInference` option guaranteed), every frame is written and every encoded frame
    /// is decoded.
    func testDecodeBeforeNextFrameTakesTurnsAndDecodesEveryEncodedFrame() async throws {
        let active = ActiveCalls(), sink = RecordingSink(), log = CallLog()
        var backend = FakeBackend(log: log)
        backend.active = active
        backend.busyIterations = 200_000
        let pipeline = try makePipeline(backend: backend, source: NumberedSource(count: 40),
                                        decodeMasksBeforeNextFrame: true, sinks: [sink])
        let outcome = await pipeline.run()
        guard case .completed = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        XCTAssertEqual(sink.record.frames.map(\.index), Array(0..<40))
        XCTAssertEqual(active.maximum, 1)
        XCTAssertEqual(log.encodedFrames, Array(0..<40))
        XCTAssertEqual(log.decodedFrames.map(\.frame), log.encodedFrames)
    }
}
