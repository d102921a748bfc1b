/// Live runs' choice, when the vision stage is free, between the frame waiting now and the next one.
///
/// Frames come every `period` seconds. When the newest waiting frame is more than half a period old,
/// the next one is less than half a period away: waiting for it (and a small `margin` for delivery
/// jitter) gives a mask for a frame captured later, for a pause shorter than the age it saves. The
/// cores are not idle meanwhile: the video decoding and encoding that share them with the model run then.
/// Capture → mask latency falls by about a third of a frame period on average; the model runs a
/// quarter period less often per frame on average.
public struct FreshFrameWait: Sendable {
    /// Seconds between frames (> 0).
    public let period: Double
    /// Extra seconds waited past the next frame's due time, for delivery jitter.
    public let margin: Double

    /// For frames at `framesPerSecond`; nil when the rate is unknown or not positive.
    public init?(framesPerSecond: Double?) {
        guard let framesPerSecond, framesPerSecond > 0, framesPerSecond.isFinite else { return nil }
        period = 1 / framesPerSecond
        margin = min(0.002, period / 10)
    }

    /// Seconds to pause before taking a frame that is `age` seconds old: 0 when it is at most half a
    /// period old, or a period or more (the next frame is late; it may not come soon), else until the
    /// next frame is due plus the margin.
    public func pause(age: Double) -> Double {
        guard age > period / 2, age < period else { return 0 }
        return period - age + margin
    }
}
