import Foundation
import XCTest
@testable import MaskRender

/// Mask shaping on hand-made logits whose probabilities are known exactly.
final class MaskShaperTests: XCTestCase {
    private func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// `[planes.count, height, width]` logits, each plane given per pixel by a closure.
    private func logits(width: Int, height: Int, _ planes: [(Int, Int) -> Float]) -> [Float] {
        planes.flatMap { plane in (0..<height).flatMap { y in (0..<width).map { x in plane(x, y) } } }
    }

    func testUnionIsTheMaximumOverPrompts() {
        // Prompt 0 covers the left column, prompt 1 the top row.
        let input = logits(width: 3, height: 2, [{ x, _ in x == 0 ? 3 : -3 }, { _, y in y == 0 ? 3 : -3 }])
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: input, logitsWidth: 3, logitsHeight: 2, positiveCount: 2,
                                  frameWidth: 3, frameHeight: 2)
        XCTAssertEqual(shaped.masks, [255, 0, 0, 255, 0, 0,  255, 255, 255, 0, 0, 0])
        XCTAssertEqual(shaped.union, [255, 255, 255, 255, 0, 0])
        XCTAssertEqual(shaped.planes(for: .stack), [[255, 0, 0, 255, 0, 0], [255, 255, 255, 0, 0, 0]])
        XCTAssertEqual(shaped.planes(for: .union), [[255, 255, 255, 255, 0, 0]])
        XCTAssertEqual(Array(shaped.maskPlane(1)), [255, 255, 255, 0, 0, 0])
        XCTAssertEqual(shaped.probabilityPlane(0).count, 6)
        XCTAssertEqual(shaped.probabilityPlane(0).first ?? 0, sigmoid(3), accuracy: 1e-6)
    }

    func testThresholdAndSoft() {
        let values: [Float] = [-2, -0.5, -0.3, 0, 2]  // sigmoid: .119 .378 .426 .5 .881
        var shaper = MaskShaper(options: MaskOptions(threshold: 0.4))
        let binary = shaper.shape(logits: values, logitsWidth: 5, logitsHeight: 1, positiveCount: 1,
                                  frameWidth: 5, frameHeight: 1)
        XCTAssertEqual(binary.masks, [0, 0, 255, 255, 255])
        shaper.options.threshold = 0.45
        XCTAssertEqual(shaper.shape(logits: values, logitsWidth: 5, logitsHeight: 1, positiveCount: 1,
                                    frameWidth: 5, frameHeight: 1).masks, [0, 0, 0, 255, 255])
        shaper.options.soft = true
        let soft = shaper.shape(logits: values, logitsWidth: 5, logitsHeight: 1, positiveCount: 1,
                                frameWidth: 5, frameHeight: 1)
        XCTAssertEqual(soft.masks, values.map { UInt8((sigmoid($0) * 255).rounded()) })
        XCTAssertEqual(soft.masks, [30, 96, 109, 128, 225])
    }

    func testNegativePromptIsSubtracted() {
        // Positive everywhere (0.881); negative strong on the left half (0.953), weak on the right (0.047).
        let input = logits(width: 4, height: 1, [{ _, _ in 2 }, { x, _ in x < 2 ? 3 : -3 }])
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: input, logitsWidth: 4, logitsHeight: 1, positiveCount: 1, negativeCount: 1,
                                  frameWidth: 4, frameHeight: 1)
        XCTAssertEqual(shaped.promptCount, 1)
        XCTAssertEqual(shaped.union, [0, 0, 255, 255])
        XCTAssertEqual(shaped.probabilities[0], 0)
        XCTAssertEqual(shaped.probabilities[3], sigmoid(2) - sigmoid(-3), accuracy: 1e-6)
    }

    func testSeveralNegativesUseTheStrongest() {
        let input = logits(width: 3, height: 1, [{ _, _ in 1 }, { x, _ in x == 0 ? 4 : -4 }, { x, _ in x == 1 ? 4 : -4 }])
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: input, logitsWidth: 3, logitsHeight: 1, positiveCount: 1, negativeCount: 2,
                                  frameWidth: 3, frameHeight: 1)
        XCTAssertEqual(shaped.union, [0, 0, 255])
    }

    func testSmoothingAveragesFramesAndRestartsOnPromptChange() {
        var shaper = MaskShaper(options: MaskOptions(soft: true, smoothing: 0.25))
        func frame(_ logit: Float, revision: Int = 0) -> Float {
            shaper.shape(logits: [logit, logit], logitsWidth: 2, logitsHeight: 1, positiveCount: 1,
                         frameWidth: 2, frameHeight: 1, promptRevision: revision).probabilities[0]
        }
        XCTAssertEqual(frame(-4), sigmoid(-4), accuracy: 1e-7, "the first frame starts the average")
        let second = frame(4)
        XCTAssertEqual(second, 0.25 * sigmoid(4) + 0.75 * sigmoid(-4), accuracy: 1e-6)
        XCTAssertEqual(frame(4), 0.25 * sigmoid(4) + 0.75 * second, accuracy: 1e-6)
        XCTAssertEqual(frame(-4, revision: 1), sigmoid(-4), accuracy: 1e-7, "a prompt change restarts it")
        shaper.resetSmoothing()
        XCTAssertEqual(frame(4, revision: 1), sigmoid(4), accuracy: 1e-7)
    }

    func testFeatherSoftensOnlyTheEdge() {
        // A vertical edge at x = 10 in a 20x5 frame; feather radius 2 (two box passes: ramp of 9 pixels).
        let input = logits(width: 20, height: 5, [{ x, _ in x < 10 ? 5 : -5 }])
        var shaper = MaskShaper(options: MaskOptions(featherRadius: 2))
        let shaped = shaper.shape(logits: input, logitsWidth: 20, logitsHeight: 5, positiveCount: 1,
                                  frameWidth: 20, frameHeight: 5)
        let row = Array(shaped.union[40..<60])
        XCTAssertEqual(Array(row[0..<6]), [UInt8](repeating: 255, count: 6))
        XCTAssertEqual(Array(row[14..<20]), [UInt8](repeating: 0, count: 6))
        // Two passes of a 5-wide box: weights 1,2,3,4,5,4,3,2,1 / 25 → 255·(25,24,22,19,15,10,6,3,1)/25.
        XCTAssertEqual(Array(row[6..<14]), [245, 224, 194, 153, 102, 61, 31, 10])
        XCTAssertEqual(shaped.masks, shaped.union, "one prompt: the union is its mask")
    }

    func testLabelsPickTheMostProbablePromptAboveThreshold() {
        // Pixel 0: none above 0.4; 1: only prompt 2; 2: prompts 1 and 3, 3 stronger; 3: tie → first.
        let p1: [Float] = [-2, -2, 1, 2]
        let p2: [Float] = [-2, 1, -2, -2]
        let p3: [Float] = [-2, -2, 2, 2]
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: p1 + p2 + p3, logitsWidth: 4, logitsHeight: 1, positiveCount: 3,
                                  frameWidth: 4, frameHeight: 1)
        var labels: [UInt8] = []
        shaped.writeLabels(into: &labels)
        XCTAssertEqual(labels, [0, 2, 3, 1])
        XCTAssertEqual(shaped.planes(for: .labels), [[0, 2, 3, 1]])
    }

    func testUpscalesModelLogitsToTheFrame() {
        // A 2x2 model output whose left column is positive: the 8x4 frame is split down the middle.
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: [6, -6, 6, -6], logitsWidth: 2, logitsHeight: 2, positiveCount: 1,
                                  frameWidth: 8, frameHeight: 4)
        XCTAssertEqual(shaped.width, 8)
        XCTAssertEqual(shaped.height, 4)
        for y in 0..<4 {
            XCTAssertEqual(Array(shaped.union[(y * 8)..<(y * 8 + 8)]), [255, 255, 255, 255, 0, 0, 0, 0])
        }
    }

    func testNoPromptsGivesEmptyMasks() {
        var shaper = MaskShaper()
        let shaped = shaper.shape(logits: [], logitsWidth: 2, logitsHeight: 2, positiveCount: 0,
                                  frameWidth: 3, frameHeight: 2)
        XCTAssertEqual(shaped.union, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(shaped.planes(for: .stack), [])
    }

    func testOptionValidation() {
        XCTAssertNil(MaskOptions().validationError())
        XCTAssertEqual(MaskOptions(threshold: 1.2).validationError(),
                       MaskOptionsError(setting: .threshold, requirement: "must be between 0 and 1, got 1.2"))
        XCTAssertEqual(MaskOptions(smoothing: 0).validationError()?.description,
                       "smoothing must be greater than 0 and at most 1 (the weight of the newest frame), got 0.0")
        XCTAssertEqual(MaskOptions(featherRadius: -1).validationError()?.description,
                       "feather radius must be between 0 and 1000 pixels, got -1")
    }
}
