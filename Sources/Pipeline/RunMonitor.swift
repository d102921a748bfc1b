import StreamKit

/// Counters and meters of a running segmentation, updated by the stages from their threads and read by
/// the progress display and the final summary. All figures are since the start of the run.
public final class RunMonitor: Sendable {
    /// The figures at one moment.
    public struct Figures: Sendable, Equatable {
        /// Frames the source delivered (decoded or captured).
        public var captured = 0
        /// Vision encoder runs (one per processed frame, however many prompts).
        public var visionRuns = 0
        /// Mask decoder runs (one batched run per processed frame).
        public var maskDecoderRuns = 0
        /// Frames whose masks came from the model (composed with their own mask).
        public var processed = 0
        /// Frames composed with an older frame's mask (`--keep-frames` for dropped frames).
        public var reusedMasks = 0
        /// Of those, frames whose older mask was moved by the motion since (`CompositionSettings.followMotion`).
        public var movedMasks = 0
        /// Frames handed to the outputs.
        public var written = 0
        /// Live runs: frames passed over in front of the compositor because they had grown stale.
        public var skippedBeforeCompose = 0
        /// Capture → mask latency percentiles, seconds (over the last 300 processed frames).
        public var latencyP50: Double?
        public var latencyP95: Double?
        public var latencyP99: Double?
        /// Recent capture and processing rates, frames per second.
        public var captureFPS: Double?
        public var processedFPS: Double?
        /// With token reuse, the mean over vision runs of the fraction of token-layer updates done (0–1);
        /// nil without reuse.
        public var meanTokensRecomputed: Double?
        /// Whole-run average rates.
        public var averageCaptureFPS: Double?
        public var averageProcessedFPS: Double?

        /// All counts zero, no rates or percentiles yet.
        public init() {}
    }

    private struct State {
        var figures = Figures()
        var capture = ThroughputMeter()
        var processing = ThroughputMeter()
        var latency = LatencyTracker()
        var tokensRecomputedSum = 0.0
        var tokensRecomputedCount = 0
    }

    private let state = LockedState(State())
    private let clock: any MonotonicClock

    public init(clock: any MonotonicClock = SystemClock()) {
        self.clock = clock
    }

    /// A frame arrived from the source at `time` (its `CapturedFrame.capturedAt`).
    public func recordCapture(at time: Double) {
        state.withLock { state in
            state.figures.captured += 1
            state.capture.record(at: time)
        }
    }

    /// The vision encoder ran on a frame; `tokensRecomputed` is what token reuse let it do (nil without reuse).
    public func recordVisionRun(tokensRecomputed: Double? = nil) {
        state.withLock { state in
            state.figures.visionRuns += 1
            if let tokensRecomputed {
                state.tokensRecomputedSum += tokensRecomputed
                state.tokensRecomputedCount += 1
                state.figures.meanTokensRecomputed = state.tokensRecomputedSum / Double(state.tokensRecomputedCount)
            }
        }
    }

    public func recordMaskDecoderRun() { state.withLock { $0.figures.maskDecoderRuns += 1 } }

    /// A frame got its own mask; `capturedAt` is when it was captured (latency is measured to now).
    public func recordProcessed(capturedAt: Double) {
        let now = clock.now()
        state.withLock { state in
            state.figures.processed += 1
            state.processing.record(at: now)
            state.latency.record(now - capturedAt)
        }
    }

    public func recordSkippedBeforeCompose() { state.withLock { $0.figures.skippedBeforeCompose += 1 } }

    public func recordReusedMask() { state.withLock { $0.figures.reusedMasks += 1 } }

    public func recordMovedMask() { state.withLock { $0.figures.movedMasks += 1 } }

    public func recordWritten() { state.withLock { $0.figures.written += 1 } }

    /// The figures now, rates and percentiles included.
    public var figures: Figures {
        let now = clock.now()
        return state.withLock { state in
            var figures = state.figures
            figures.latencyP50 = state.latency.p50
            figures.latencyP95 = state.latency.p95
            figures.latencyP99 = state.latency.p99
            figures.captureFPS = state.capture.rate(now: now)
            figures.processedFPS = state.processing.rate(now: now)
            figures.averageCaptureFPS = state.capture.averageRate(now: now)
            figures.averageProcessedFPS = state.processing.averageRate(now: now)
            return figures
        }
    }
}
