/// What a `SegmentationPipeline` run did.
public struct SegmentationOutcome: Sendable {
    /// Why the run ended.
    public enum Ending: Sendable {
        /// The input ended and everything was written.
        case completed
        /// `stop()` was called (signal, `quit`, closed output); what was in flight was written.
        case stopped
        case failed(any Error)
    }

    public var ending: Ending
    /// Frames the source delivered.
    public var framesRead: Int
    /// Frames dropped before the vision encoder (latest-wins).
    public var dropped: Int
    /// Live runs: frames passed over at the source because reading fell behind (`SourcePump` lateness).
    public var skippedLate: Int = 0
    public var figures: RunMonitor.Figures
    /// Seconds from the start of `run()` to its end.
    public var elapsed: Double
    /// Sinks whose reader closed them early, by name.
    public var closedOutputs: [String]
    /// Frames each sink was given and wrote, in the order of the sinks (0 for an output nothing reached:
    /// the caller may remove it when the run failed or was interrupted).
    public var framesWrittenPerOutput: [Int]
    /// One-line warnings of the source and the sinks.
    public var warnings: [String]
}
