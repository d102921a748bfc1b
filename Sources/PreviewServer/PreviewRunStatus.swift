import Pipeline

/// What the page's statistics and prompt list show (`GET /status`, JSON): the run's figures now, the prompts,
/// the threshold and the smoothing in force. Times in milliseconds, rates per second; nil (JSON null) while unknown.
public struct PreviewRunStatus: Sendable, Encodable, Equatable {
    public var framesRead: Int
    public var framesProcessed: Int
    /// Frames dropped before the model (latest-wins).
    public var dropped: Int
    public var elapsedSeconds: Double
    /// Capture rate.
    public var fps: Double?
    /// Frames that got a mask of their own (the model's rate).
    public var freshMasksPerSecond: Double?
    /// Capture → mask latency percentiles.
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    /// With token reuse, the share of token-layer updates the vision encoder did, 0–100.
    public var tokensRecomputedPercent: Double?
    /// The text prompts in force, in order.
    public var prompts: [String]
    public var threshold: Float
    /// The newest frame's weight in the masks' running average, 1 for no smoothing.
    public var smoothing: Float

    public init(progress: ProgressSnapshot, prompts: [String], threshold: Float, smoothing: Float = 1) {
        func rounded(_ value: Double?, scale: Double = 1) -> Double? {
            value.map { ($0 * scale * 10).rounded() / 10 }
        }
        framesRead = progress.framesRead
        framesProcessed = progress.framesProcessed
        dropped = progress.dropped
        elapsedSeconds = (progress.elapsed * 10).rounded() / 10
        fps = rounded(progress.captureFPS)
        freshMasksPerSecond = rounded(progress.processedFPS)
        latencyP50Ms = rounded(progress.latencyP50, scale: 1000)
        latencyP95Ms = rounded(progress.latencyP95, scale: 1000)
        tokensRecomputedPercent = rounded(progress.meanTokensRecomputed, scale: 100)
        self.prompts = prompts
        self.threshold = threshold
        self.smoothing = smoothing
    }
}

/// What became of a control command posted by the page: applied or refused, and the one line saying so
/// (the same words `--control` prints).
public struct PreviewControlReply: Sendable, Equatable, Encodable {
    public var applied: Bool
    public var message: String
    public init(applied: Bool, message: String) {
        self.applied = applied
        self.message = message
    }
}

/// How the server reaches the run: its status now, and the one place control commands are applied
/// (the `--control` input's own path). Both are called from connection threads.
public struct PreviewHandlers: Sendable {
    public var status: @Sendable () -> PreviewRunStatus
    public var control: @Sendable (ControlCommand) async -> PreviewControlReply
    public init(status: @escaping @Sendable () -> PreviewRunStatus,
                control: @escaping @Sendable (ControlCommand) async -> PreviewControlReply) {
        self.status = status
        self.control = control
    }
}
