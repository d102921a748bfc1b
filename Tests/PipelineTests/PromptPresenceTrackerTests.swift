import MaskRender
import Pipeline
import XCTest

/// Appeared / disappeared events with hysteresis in level (appear at C, disappear below C/2) and in time
/// (N frames in a row), prompts followed by text through control changes.
final class PromptPresenceTrackerTests: XCTestCase {
    private func frame(_ index: Int, _ coverages: [(String, Double)]) -> FrameStatistics {
        FrameStatistics(frame: index, time: Double(index) / 10, prompts: coverages.map {
            PromptStatistics(prompt: $0.0, coverage: $0.1, boundingBox: $0.1 > 0 ? [1, 2, 3, 4] : nil, meanProbability: $0.1)
        })
    }

    private func run(_ coverages: [Double], rule: PresenceRule) -> [String] {
        var tracker = PromptPresenceTracker(rule: rule)
        return coverages.enumerated().flatMap { index, coverage in
            tracker.update(frame(index, [("cat", coverage)])).map { "\($0.kind.rawValue)@\($0.frame) since \($0.sinceFrame)" }
        }
    }

    func testAChangeMustLastTheRuleFramesAndCrossTheLevels() {
        let rule = PresenceRule(appearCoverage: 0.1, frames: 3)
        // Two frames above is a blip; three make it appear (since the first of them). Flicker between the two
        // levels (0.06: above 0.05, below 0.1) changes nothing; three frames below 0.05 make it disappear.
        XCTAssertEqual(run([0, 0.2, 0.2, 0, 0.2, 0.3, 0.1, 0.06, 0.04, 0.06, 0.01, 0.0, 0.02, 0.5], rule: rule),
                       ["appeared@6 since 4", "disappeared@12 since 10"])
        XCTAssertEqual(run([0.2, 0.2], rule: PresenceRule(appearCoverage: 0.1, frames: 1)), ["appeared@0 since 0"])
    }

    func testTheEventLineCarriesTheConfirmingFrameFigures() {
        var tracker = PromptPresenceTracker(rule: PresenceRule(appearCoverage: 0.1, frames: 1))
        let events = tracker.update(frame(7, [("a \"red\" cat", 0.25)]))
        XCTAssertEqual(events.map { $0.jsonLine() },
                       [#"{"event":"appeared","prompt":"a \"red\" cat","frame":7,"time":0.7,"since_frame":7,"coverage":0.25,"bbox":[1,2,3,4]}"#])
    }

    func testARemovedPresentPromptDisappearsAndPromptsAreMatchedByText() {
        var tracker = PromptPresenceTracker(rule: PresenceRule(appearCoverage: 0.1, frames: 1))
        XCTAssertEqual(tracker.update(frame(0, [("cat", 0.5), ("dog", 0.5)])).map(\.prompt), ["cat", "dog"])
        // "Cat" is the same prompt as "cat" (already present): nothing. "dog" was removed: it disappears.
        let events = tracker.update(frame(1, [("Cat", 0.5)]))
        XCTAssertEqual(events.map { "\($0.kind.rawValue) \($0.prompt) \($0.coverage)" }, ["disappeared dog 0.0"])
    }
}
