import Foundation
import MaskRender
@testable import Pipeline
import TestSupport
import XCTest

/// Effects per prompt through the whole chain (fake backend: every prompt's mask is full on even frames and
/// empty on odd ones; frame `i`'s pixels are all `i`): an effect painted over the `--mode` rendering, and
/// redaction failing closed when the masks a frame is composed with are too old.
final class PromptEffectsPipelineTests: XCTestCase {
    private func pipeline(_ backend: FakeBackend, source: NumberedSource, prompts: [String], effects: PromptEffects,
                          mode: OutputMode = .overlay, live: Bool = false,
                          sink: RecordingSink) throws -> SegmentationPipeline<FakeBackend> {
        let book = try PromptBook(texts: prompts, images: [], negatives: [], embeddingSize: 2) {
            try backend.embed(texts: $0, scratch: ())
        }
        let settings = CompositionSettings(mode: mode, keepDroppedFrames: true, outputWidth: 4, outputHeight: 2,
                                           effects: effects)
        return SegmentationPipeline(backend: backend, prompts: book, composition: settings, flow: .init(live: live),
                                    source: source, sinks: [sink])
    }

    private func colours(_ frame: ComposedFrame) -> Set<[UInt8]> {
        let pixels = frame.picture?.pixels ?? []
        return Set(stride(from: 0, to: pixels.count, by: 3).map { Array(pixels[$0..<($0 + 3)]) })
    }

    func testAFilledPromptCoversTheModeRenderingOfTheOthers() async throws {
        let sink = RecordingSink()
        let effects = PromptEffects([(prompt: "Dog", effect: .fill(RGBColor(red: 200, green: 0, blue: 0)))])
        let run = try pipeline(FakeBackend(log: CallLog()), source: NumberedSource(count: 6), prompts: ["cat", "dog"],
                               effects: effects, mode: .matte, sink: sink)
        let outcome = await run.run()
        guard case .completed = outcome.ending else { return XCTFail("ended \(outcome.ending)") }
        for frame in sink.record.frames {
            // Even: matte of "cat" (white), then "dog" filled over all of it. Odd: matte of nothing (black).
            XCTAssertEqual(colours(frame), [frame.index % 2 == 0 ? [200, 0, 0] : [0, 0, 0]], "frame \(frame.index)")
            XCTAssertEqual(promptNames(of: frame.statistics), ["cat", "dog"], "statistics keep every prompt")
        }
    }

    func testOnlyEffectPromptsLeaveTheRestOfTheFrameAsItIs() async throws {
        let sink = RecordingSink()
        let effects = PromptEffects([(prompt: "plate", effect: .pixelate)])
        let run = try pipeline(FakeBackend(log: CallLog()), source: NumberedSource(count: 4), prompts: ["plate"],
                               effects: effects, mode: .blur, sink: sink)
        _ = await run.run()
        // A flat frame pixelates to itself; with no object prompt, --mode blur does nothing either.
        XCTAssertEqual(sink.record.frames.map(colours), (0..<4).map { [[UInt8($0), UInt8($0), UInt8($0)]] })
    }

    /// Live, masks full on odd frames: frame 0 (empty masks) is held in the encoder while 1…8 are dropped and
    /// composed with its masks; those more than 0.35 s later than frame 0 (4…8) are blanked in the redaction
    /// colour; frame 9's own masks redact all of it.
    func testRedactionBlanksFramesWhoseMasksAreTooOld() async throws {
        let gate = EncoderGate(holding: [0])
        let sink = RecordingSink()
        let blue = RGBColor(red: 0, green: 0, blue: 255)
        let effects = PromptEffects([(prompt: "face", effect: .redact(blue))], redactionMaxAge: 0.35)
        let run = try pipeline(FakeBackend(log: CallLog(), gate: gate, fullOnOddFrames: true), source: NumberedSource(count: 10, live: true),
                               prompts: ["face"], effects: effects, live: true, sink: sink)
        async let outcome = run.run()
        await waitUntil("frames 1…8 were dropped") { run.progress().dropped == 8 }
        gate.open(0)
        _ = await outcome
        let frames = sink.record.frames
        XCTAssertEqual(frames.map(\.index), Array(0..<10))
        for frame in frames {
            let own = [UInt8(frame.index), UInt8(frame.index), UInt8(frame.index)]
            let expected: [UInt8] = frame.index >= 4 ? [0, 0, 255] : own
            XCTAssertEqual(colours(frame), [expected], "frame \(frame.index) (masks of frame \(maskFrame(of: frame.statistics) ?? frame.index))")
        }
    }

    /// `effect fill:… dog` while frame 3 waits in the encoder: "dog" becomes a prompt, decoded from frame 3 on, and
    /// filled from the next frame composed; frames before keep the matte of "cat" alone.
    func testAnEffectCommandAddsThePromptAndPaintsFromTheNextFrame() async throws {
        let gate = EncoderGate(holding: [3])
        let sink = RecordingSink()
        let run = try pipeline(FakeBackend(log: CallLog(), gate: gate), source: NumberedSource(count: 6), prompts: ["cat"],
                               effects: PromptEffects(), mode: .matte, sink: sink)
        async let outcome = run.run()
        await waitUntil("frame 3 waits in the encoder") { gate.isWaiting(at: 3) }
        guard case .fill(let color)? = (try? ControlCommand.parse("effect fill:#c80000 dog").get()).flatMap({
            if case .effect(_, let effect) = $0 { return effect } else { return nil }
        }) else { return XCTFail("the command does not parse") }
        let change = await run.apply(.effect(prompt: "dog", .fill(color)))
        XCTAssertEqual(change, .effectChanged(prompt: "dog", effect: .fill(RGBColor(red: 200, green: 0, blue: 0)), added: true))
        gate.open(3)
        _ = await outcome
        let frames = sink.record.frames
        XCTAssertEqual(frames.map(colours), [[[255, 255, 255]], [[0, 0, 0]], [[255, 255, 255]], [[0, 0, 0]], [[200, 0, 0]], [[0, 0, 0]]])
        XCTAssertEqual(promptNames(of: frames[4].statistics), ["cat", "dog"])
    }
}
