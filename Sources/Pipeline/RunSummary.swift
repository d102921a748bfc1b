/// The final summary of a segmentation run on stderr: the headline of `ProgressText.summary`, then one
/// line with every count (so scripts and tests can read them):
///
///     done: 240 frames in 0:08 (29.6 fps)
///     frames: read 240, processed 240, dropped 0, written 240; vision encoder runs 240, decoder runs 240; latency p50 41 ms p95 58 ms
public enum RunSummary {
    /// The snapshot `ProgressText`/`ProgressReporter` summarise.
    public static func snapshot(_ outcome: SegmentationOutcome) -> ProgressSnapshot {
        ProgressSnapshot(framesRead: outcome.framesRead, framesProcessed: outcome.figures.processed,
                         dropped: outcome.dropped, elapsed: outcome.elapsed,
                         captureFPS: outcome.figures.averageCaptureFPS, processedFPS: outcome.figures.averageProcessedFPS,
                         latencyP50: outcome.figures.latencyP50, latencyP95: outcome.figures.latencyP95)
    }

    /// The counts line (no newline).
    public static func countsLine(_ outcome: SegmentationOutcome) -> String {
        let f = outcome.figures
        return "frames: read \(outcome.framesRead), processed \(f.processed), dropped \(outcome.dropped), "
            + "written \(f.written); vision encoder runs \(f.visionRuns), decoder runs \(f.decoderRuns); "
            + "latency p50 \(ProgressText.milliseconds(f.latencyP50)) p95 \(ProgressText.milliseconds(f.latencyP95))"
    }
}

