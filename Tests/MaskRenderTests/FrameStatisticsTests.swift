import XCTest
@testable import MaskRender

final class FrameStatisticsTests: XCTestCase {
    func testCoverageBoxAndMean() {
        // 4x3 frame, two prompts. Prompt 0: pixels (1,0) and (2,2) at 0.9, the rest 0.1.
        // Prompt 1: nothing reaches 0.4.
        var first = [Float](repeating: 0.1, count: 12)
        first[1] = 0.9
        first[2 * 4 + 2] = 0.9
        let second = [Float](repeating: 0.3, count: 12)
        let masks = ShapedMasks(width: 4, height: 3, promptCount: 2, threshold: 0.4, probabilities: first + second,
                                masks: [UInt8](repeating: 0, count: 24), union: [UInt8](repeating: 0, count: 12))
        let stats = FrameStatistics.measure(masks, prompts: ["cat", "dog"], frame: 5, time: 0.2)
        XCTAssertEqual(stats.prompts.count, 2)
        XCTAssertEqual(stats.prompts[0].prompt, "cat")
        XCTAssertEqual(stats.prompts[0].coverage, 2.0 / 12.0, accuracy: 1e-12)
        XCTAssertEqual(stats.prompts[0].boundingBox, [1, 0, 2, 3])
        XCTAssertEqual(stats.prompts[0].meanProbability, (0.9 * 2 + 0.1 * 10) / 12, accuracy: 1e-6)
        XCTAssertEqual(stats.prompts[1].coverage, 0)
        XCTAssertNil(stats.prompts[1].boundingBox)
        XCTAssertEqual(stats.prompts[1].meanProbability, 0.3, accuracy: 1e-6)
    }

    func testJSONLine() {
        let stats = FrameStatistics(frame: 12, time: 0.48, prompts: [
            PromptStatistics(prompt: "a \"red\" car\n", coverage: 0.18251234567, boundingBox: [10, 4, 120, 96],
                             meanProbability: 0.21),
            PromptStatistics(prompt: "dog", coverage: 0, boundingBox: nil, meanProbability: 1e-9),
        ])
        XCTAssertEqual(stats.jsonLine(),
                       #"{"frame":12,"time":0.48,"prompts":[{"prompt":"a \"red\" car\n","coverage":0.182512,"#
                       + #""bbox":[10,4,120,96],"mean":0.21},{"prompt":"dog","coverage":0,"bbox":null,"mean":0}]}"#)
        var reused = stats
        reused.maskFrame = 10
        reused.prompts = []
        XCTAssertEqual(reused.jsonLine(), #"{"frame":12,"time":0.48,"mask_frame":10,"prompts":[]}"#)
        // Every line parses as JSON.
        let object = try? JSONSerialization.jsonObject(with: Data(stats.jsonLine().utf8)) as? [String: Any]
        XCTAssertEqual(object?["frame"] as? Int, 12)
    }

    func testJSONNumbers() {
        XCTAssertEqual(JSONText.number(0.5), "0.5")
        XCTAssertEqual(JSONText.number(12), "12")
        XCTAssertEqual(JSONText.number(0.000123), "0.000123")
        XCTAssertEqual(JSONText.number(-1.25), "-1.25")
        XCTAssertEqual(JSONText.number(0.0000004), "0")
        XCTAssertEqual(JSONText.number(.nan), "null")
    }
}
