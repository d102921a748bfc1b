import MaskRender
import UserText

/// When a prompt counts as present (`--events`): hysteresis in level and in time, so a mask that flickers
/// around one coverage does not make a stream of events.
public struct PresenceRule: Sendable, Equatable {
    /// Coverage (fraction of the frame's pixels) at or above which a frame counts toward appearing.
    public var appearCoverage: Double
    /// Coverage below which a frame counts toward disappearing (at most `appearCoverage`).
    public var disappearCoverage: Double
    /// Consecutive frames on one side of the levels before the state changes.
    public var frames: Int

    public init(appearCoverage: Double = 0.01, disappearCoverage: Double? = nil, frames: Int = 3) {
        self.appearCoverage = appearCoverage
        self.disappearCoverage = min(disappearCoverage ?? appearCoverage / 2, appearCoverage)
        self.frames = max(1, frames)
    }
}

/// A prompt that appeared or disappeared, as one NDJSON line of `--events`.
public struct PromptEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case appeared, disappeared }
    public var kind: Kind
    public var prompt: String
    /// The frame that confirmed the change (the last of `PresenceRule.frames`), and its time in seconds.
    public var frame: Int
    public var time: Double
    /// The first frame of the run of frames that made the change.
    public var sinceFrame: Int
    /// That frame's coverage and box (`[x, y, width, height]`, nil when empty).
    public var coverage: Double
    public var boundingBox: [Int]?

    /// `{"event":"appeared","prompt":"a cat","frame":14,"time":0.56,"since_frame":12,"coverage":0.08,"bbox":[…]}`
    public func jsonLine() -> String {
        let box = boundingBox.map { "[" + $0.map(String.init).joined(separator: ",") + "]" } ?? "null"
        return "{\"event\":\"\(kind.rawValue)\",\"prompt\":\(prompt.jsonStringLiteral),\"frame\":\(frame),"
            + "\"time\":\(JSONText.number(time)),\"since_frame\":\(sinceFrame),"
            + "\"coverage\":\(JSONText.number(coverage)),\"bbox\":\(box)}"
    }
}

/// Turns each frame's statistics into appeared / disappeared events per prompt under a `PresenceRule`.
/// Prompts are followed by text (as `PromptSet` matches them), so prompts added or removed by control
/// commands keep or start their own state; a present prompt that is removed disappears at once.
public struct PromptPresenceTracker: Sendable {
    public let rule: PresenceRule

    private struct State {
        var prompt: String
        var present = false
        /// Frames in a row on the other side of the levels, and the first of them.
        var streak = 0
        var streakStart = 0
    }
    private var states: [String: State] = [:]

    public init(rule: PresenceRule) { self.rule = rule }

    /// The events `statistics` (one frame, in frame order) brings about.
    public mutating func update(_ statistics: FrameStatistics) -> [PromptEvent] {
        var events: [PromptEvent] = []
        var seen = Set<String>()
        for entry in statistics.prompts {
            let key = PromptSet.key(entry.prompt)
            seen.insert(key)
            var state = states[key] ?? State(prompt: entry.prompt)
            let pushes = state.present ? entry.coverage < rule.disappearCoverage : entry.coverage >= rule.appearCoverage
            if pushes {
                if state.streak == 0 { state.streakStart = statistics.frame }
                state.streak += 1
            } else {
                state.streak = 0
            }
            if state.streak >= rule.frames {
                state.present.toggle()
                state.streak = 0
                events.append(PromptEvent(kind: state.present ? .appeared : .disappeared, prompt: entry.prompt,
                                          frame: statistics.frame, time: statistics.time, sinceFrame: state.streakStart,
                                          coverage: entry.coverage, boundingBox: entry.boundingBox))
            }
            states[key] = state
        }
        for (key, state) in states where !seen.contains(key) {
            if state.present {
                events.append(PromptEvent(kind: .disappeared, prompt: state.prompt, frame: statistics.frame,
                                          time: statistics.time, sinceFrame: statistics.frame, coverage: 0, boundingBox: nil))
            }
            states[key] = nil
        }
        return events
    }
}
