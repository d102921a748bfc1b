/// Figures of a run at one moment (`SegmentationPipeline.progress()`), for a progress display.
public struct ProgressSnapshot: Sendable, Equatable {
    /// Frames decoded or captured so far.
    public var framesRead: Int
    /// Frames that went through the model.
    public var framesProcessed: Int
    /// Frames dropped before the model (latest-wins).
    public var dropped: Int
    /// Seconds since the run started.
    public var elapsed: Double
    /// Recent capture rate (frames per second), when known.
    public var captureFPS: Double?
    /// Recent processing rate (frames per second), when known.
    public var processedFPS: Double?
    /// Capture → mask latency percentiles, seconds.
    public var latencyP50: Double?
    public var latencyP95: Double?
    /// With token reuse, the mean fraction of token-layer updates the vision encoder did (0–1).
    public var meanTokensRecomputed: Double?

    public init(framesRead: Int = 0, framesProcessed: Int = 0, dropped: Int = 0, elapsed: Double = 0,
                captureFPS: Double? = nil, processedFPS: Double? = nil,
                latencyP50: Double? = nil, latencyP95: Double? = nil, meanTokensRecomputed: Double? = nil) {
        self.meanTokensRecomputed = meanTokensRecomputed
        self.framesRead = framesRead
        self.framesProcessed = framesProcessed
        self.dropped = dropped
        self.elapsed = elapsed
        self.captureFPS = captureFPS
        self.processedFPS = processedFPS
        self.latencyP50 = latencyP50
        self.latencyP95 = latencyP95
    }
}
