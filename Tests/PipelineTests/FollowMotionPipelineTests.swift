import Foundation
import MaskRender
import VideoFrames
@testable import Pipeline
import TestSupport
import XCTest

/// `CompositionSettings.followMotion` through the whole chain: frames dropped before the model are written
/// with the last processed frame's mask moved by the motion since, keeping their `mask_frame`.
final class FollowMotionPipelineTests: XCTestCase {
    static let width = 160, height = 120, side = 32, start = (x: 40, y: 30), step = (x: 2, y: 1)

    /// Where the square is on frame `index`: it moves by `step` frame pixels a frame.
    static func square(_ index: Int) -> (x: Int, y: Int) { (start.x + step.x * index, start.y + step.y * index) }

    /// Frames of a static textured background (random greys in 4-pixel cells) with a textured square (random
    /// greys in 3-pixel cells) moving by `step` a frame.
    final class MovingSquareSource: FrameSource, @unchecked Sendable {
        let count: Int
        private var next = 0
        init(count: Int) { self.count = count }
        var info: SourceInfo {
            SourceInfo(name: "moving square", width: FollowMotionPipelineTests.width,
                       height: FollowMotionPipelineTests.height, frameRate: 10, isLive: true)
        }
        var warnings: [String] { [] }

        func nextFrame() throws -> RGBFrame? {
            guard next < count else { return nil }
            defer { next += 1 }
            let width = FollowMotionPipelineTests.width, height = FollowMotionPipelineTests.height
            let side = FollowMotionPipelineTests.side, at = FollowMotionPipelineTests.square(next)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    var value = 60 + Self.cell(x / 4, y / 4, seed: 1) % 120
                    if (at.x..<(at.x + side)).contains(x) && (at.y..<(at.y + side)).contains(y) {
                        value = Self.cell((x - at.x) / 3, (y - at.y) / 3, seed: 2)
                    }
                    for c in 0..<3 { pixels[(y * width + x) * 3 + c] = value }
                }
            }
            return RGBFrame(width: width, height: height, pixels: pixels, timestamp: Double(next) / 10, index: next)
        }

        func close() {}

        /// A random grey for texture cell `(x, y)` (no period, so no offset but the true one matches).
        static func cell(_ x: Int, _ y: Int, seed: UInt64) -> UInt8 {
            var random = SplitMix64(seed: seed << 32 | UInt64(x * 4096 + y))
            return UInt8(truncatingIfNeeded: random.next() >> 56)
        }
    }

    /// The logits of frame `f` at the frame's size: +10 over the square, −10 elsewhere.
    struct SquareBackend: SegmentationBackend {
        var gate = EncoderGate()
        var embeddingSize: Int { 2 }
        func makeScratch(for step: ModelStep) {}
        func prepare(_ frame: RGBFrame, recycling recycled: consuming Int?) throws -> Int { frame.index }
        func encode(_ input: Int, scratch: Void) throws -> Int {
            gate.pass(input)
            return input
        }
        func embed(texts: [String], scratch: Void) throws -> TextEmbeddings { TextEmbeddings(rows: texts.map { _ in [1, 1] }) }
        func embed(image: RGBFrame, scratch: Void) throws -> [Float] { [1, 1] }
        func decodeMasks(_ features: Int, conditionals: ConditionalEmbeddings, scratch: Void) throws -> PromptLogits {
            PromptLogits(values: FollowMotionPipelineTests.truth(features).map { $0 == 255 ? 10 : -10 }, count: 1,
                         width: FollowMotionPipelineTests.width, height: FollowMotionPipelineTests.height)
        }
    }

    /// The square's mask on frame `index`.
    static func truth(_ index: Int) -> [UInt8] {
        let at = square(index)
        return (0..<(width * height)).map { i in
            (at.x..<(at.x + side)).contains(i % width) && (at.y..<(at.y + side)).contains(i / width) ? 255 : 0
        }
    }

    static func iou(_ a: [UInt8], _ b: [UInt8]) -> Double {
        let both = zip(a, b).filter { $0 >= 128 && $1 >= 128 }.count, either = zip(a, b).filter { $0 >= 128 || $1 >= 128 }.count
        return either == 0 ? 1 : Double(both) / Double(either)
    }

    /// Frame 0 is held in the encoder while frames 1…8 arrive and are dropped; 9 is processed. The flow's frame
    /// rate of 1 sets the lateness bound to 3 s, so a slow (debug) build composes every frame rather than
    /// passing over the ones that waited in front of the compositor.
    private func runBurst(followMotion: Bool) async throws -> (SegmentationOutcome, [ComposedFrame]) {
        let gate = EncoderGate(holding: [0]), backend = SquareBackend(gate: gate), sink = RecordingSink()
        let book = try PromptBook(texts: ["square"], images: [], negatives: [], embeddingSize: 2) {
            try backend.embed(texts: $0, scratch: ())
        }
        let settings = CompositionSettings(mode: .matte, keepDroppedFrames: true, followMotion: followMotion,
                                           outputWidth: Self.width, outputHeight: Self.height)
        let pipeline = SegmentationPipeline(backend: backend, prompts: book, composition: settings,
                                            flow: .init(live: true, frameRate: 1), source: MovingSquareSource(count: 10),
                                            sinks: [sink])
        async let outcome = pipeline.run()
        await waitUntil("frames 1…8 were dropped") { pipeline.progress().dropped == 8 }
        gate.open(0)
        return (await outcome, sink.record.frames)
    }

    func testDroppedFramesMasksAreMovedByTheMotionSinceTheProcessedFrame() async throws {
        let (outcome, frames) = try await runBurst(followMotion: true)
        XCTAssertEqual(frames.map(\.index), Array(0..<10))
        guard frames.count == 10 else { return }
        XCTAssertEqual(frames.map { maskFrame(of: $0.statistics) }, [nil] + Array(repeating: 0, count: 8) + [nil])
        XCTAssertEqual(outcome.figures.reusedMasks, 8)
        XCTAssertEqual(outcome.figures.movedMasks, 8)
        for frame in frames {
            let mask = try XCTUnwrap(frame.maskPlanes.first)
            XCTAssertGreaterThanOrEqual(Self.iou(mask, Self.truth(frame.index)), 0.9, "frame \(frame.index)")
            // The matte and the statistics are of the moved mask too.
            XCTAssertEqual(frame.picture?.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), mask)
        }
        let line = try XCTUnwrap(frames[8].statistics?.data(using: .utf8))
        let stats = try XCTUnwrap(JSONSerialization.jsonObject(with: line) as? [String: Any])
        let coverage = try XCTUnwrap((stats["prompts"] as? [[String: Any]])?.first?["coverage"] as? Double)
        let truth = Double(Self.side * Self.side) / Double(Self.width * Self.height)
        XCTAssertEqual(coverage, truth, accuracy: 0.1 * truth, "measured on the moved mask")
    }

    func testWithoutFollowMotionDroppedFramesKeepTheOldMask() async throws {
        let (outcome, frames) = try await runBurst(followMotion: false)
        XCTAssertEqual(outcome.figures.movedMasks, 0)
        guard frames.count == 10 else { return XCTFail("\(frames.count) frames written") }
        XCTAssertEqual(frames[8].maskPlanes.first, Self.truth(0))
        XCTAssertLessThan(Self.iou(frames[8].maskPlanes.first ?? [], Self.truth(8)), 0.5)
    }
}
