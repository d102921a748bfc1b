import UserText

/// Per-prompt figures of one frame, as written to `--stats` (one NDJSON line per frame).
public struct PromptStatistics: Sendable, Equatable {
    /// The prompt text.
    public var prompt: String
    /// Fraction of the frame's pixels whose probability reaches the threshold, 0…1.
    public var coverage: Double
    /// Smallest box holding those pixels, `[x, y, width, height]` in frame pixels; nil when none.
    public var boundingBox: [Int]?
    /// Mean probability over the whole frame, 0…1.
    public var meanProbability: Double

    public init(prompt: String, coverage: Double, boundingBox: [Int]?, meanProbability: Double) {
        self.prompt = prompt
        self.coverage = coverage
        self.boundingBox = boundingBox
        self.meanProbability = meanProbability
    }
}

/// The statistics line of one output frame.
public struct FrameStatistics: Sendable, Equatable {
    /// Index of the frame in its source (0-based).
    public var frame: Int
    /// Presentation time of the frame, seconds.
    public var time: Double
    /// Index of the frame the masks were computed on, when it is an older one (`--keep-frames` reusing
    /// the latest mask for a frame that was dropped before the model); nil when it is this frame.
    public var maskFrame: Int?
    /// With token reuse, the fraction of the image encoder's token-layer updates this frame's encoding
    /// did (0–1); nil without reuse and on frames written with an older frame's masks.
    public var tokensRecomputed: Double?
    /// One entry per prompt, in prompt order.
    public var prompts: [PromptStatistics]

    public init(frame: Int, time: Double, maskFrame: Int? = nil, tokensRecomputed: Double? = nil,
                prompts: [PromptStatistics]) {
        self.frame = frame
        self.time = time
        self.maskFrame = maskFrame
        self.tokensRecomputed = tokensRecomputed
        self.prompts = prompts
    }

    /// Measures `masks.probabilities` against `masks.threshold`. `prompts` names the planes in order
    /// (missing names are left empty). One pass over each plane.
    public static func measure(_ masks: ShapedMasks, prompts: [String], frame: Int, time: Double,
                               maskFrame: Int? = nil) -> FrameStatistics {
        let width = masks.width, height = masks.height, plane = masks.planeSize, threshold = masks.threshold
        var entries: [PromptStatistics] = []
        masks.probabilities.withUnsafeBufferPointer { all in
            for p in 0..<masks.promptCount {
                let base = all.baseAddress! + p * plane
                var total: Double = 0
                var count = 0
                var minX = width, maxX = -1, minY = height, maxY = -1
                for y in 0..<height {
                    let row = base + y * width
                    var rowSum: Float = 0
                    var first = -1, last = -1
                    for x in 0..<width {
                        let value = row[x]
                        rowSum += value
                        if value >= threshold {
                            if first < 0 { first = x }
                            last = x
                            count += 1
                        }
                    }
                    total += Double(rowSum)
                    if first >= 0 {
                        minX = min(minX, first)
                        maxX = max(maxX, last)
                        minY = min(minY, y)
                        maxY = y
                    }
                }
                let box = maxX >= 0 ? [minX, minY, maxX - minX + 1, maxY - minY + 1] : nil
                entries.append(PromptStatistics(prompt: p < prompts.count ? prompts[p] : "",
                                                coverage: Double(count) / Double(plane), boundingBox: box,
                                                meanProbability: total / Double(plane)))
            }
        }
        return FrameStatistics(frame: frame, time: time, maskFrame: maskFrame, prompts: entries)
    }

    /// The NDJSON line (without the newline), keys in a fixed order, numbers with at most 6 decimals:
    ///
    ///     {"frame":12,"time":0.48,"prompts":[{"prompt":"cat","coverage":0.1825,"bbox":[10,4,120,96],"mean":0.21}]}
    ///
    /// `"mask_frame"` (masks of an older frame) and `"tokens_recomputed"` (token reuse) follow `"time"` when set.
    /// `"bbox"` is `null` for an empty mask.
    public func jsonLine() -> String {
        var line = "{\"frame\":\(frame),\"time\":\(JSONText.number(time))"
        if let maskFrame { line += ",\"mask_frame\":\(maskFrame)" }
        if let tokensRecomputed { line += ",\"tokens_recomputed\":\(JSONText.number(tokensRecomputed))" }
        line += ",\"prompts\":["
        for (i, entry) in prompts.enumerated() {
            if i > 0 { line += "," }
            line += "{\"prompt\":\(entry.prompt.jsonStringLiteral)"
            line += ",\"coverage\":\(JSONText.number(entry.coverage))"
            line += ",\"bbox\":" + (entry.boundingBox.map { "[" + $0.map(String.init).joined(separator: ",") + "]" } ?? "null")
            line += ",\"mean\":\(JSONText.number(entry.meanProbability))}"
        }
        return line + "]}"
    }
}

/// JSON numbers for the statistics and event lines (strings: UserText's `jsonStringLiteral`).
public enum JSONText {
    /// A finite number rounded to 6 decimals without trailing zeros (`0.5`, `12`, `0.000123`);
    /// non-finite values become `null`.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let scaled = (value * 1_000_000).rounded()
        if scaled == 0 { return "0" }
        let negative = scaled < 0
        let magnitude = UInt64(abs(scaled))
        let whole = magnitude / 1_000_000, fraction = magnitude % 1_000_000
        var text = (negative ? "-" : "") + String(whole)
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}
