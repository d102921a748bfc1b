import Pipeline

/// The final summary of a segmentation run on stderr: the headline of `ProgressText.summary`, then one
/// line with every count (so scripts and tests can read them):
///
///     done: 240 frames in 0:08 (29.6 fps)
///     frames: read 240, processed 240, dropped 0, written 240; vision encoder runs 240, decoder runs 240; latency p50 41 ms p95 58 ms p99 63 ms
///
/// With `--reuse` the counts line goes on with `; tokens recomputed 31%` (the mean over vision runs); when dropped
/// frames were written with masks moved by `--follow-motion`, with `; masks moved 212`; a live
/// run that fell behind ends it with `; late frames skipped: 12 before the model, 3 before compositing`
/// (frames passed over at the source, unconverted, and in front of the compositor).
///
/// Latency percentiles are over the last 300 processed frames (`LatencyTracker`); p99 comes last, so
/// readers of the older line (ending at p95) still match. "decoder runs" counts mask decoder runs
/// (`RunMonitor.Figures.maskDecoderRuns`); the words stay as they are because tests and scripts read them.
enum RunSummary {
    /// The snapshot `ProgressText`/`ProgressReporter` summarise.
    static func snapshot(_ outcome: SegmentationOutcome) -> ProgressSnapshot {
        ProgressSnapshot(framesRead: outcome.framesRead, framesProcessed: outcome.figures.processed,
                         dropped: outcome.dropped, elapsed: outcome.elapsed,
                         captureFPS: outcome.figures.averageCaptureFPS, processedFPS: outcome.figures.averageProcessedFPS,
                         latencyP50: outcome.figures.latencyP50, latencyP95: outcome.figures.latencyP95,
                         meanTokensRecomputed: outcome.figures.meanTokensRecomputed)
    }

    /// The counts line (no newline).
    static func countsLine(_ outcome: SegmentationOutcome) -> String {
        countsLine(framesRead: outcome.framesRead, dropped: outcome.dropped, figures: outcome.figures)
            + (outcome.skippedLate + outcome.figures.skippedBeforeCompose > 0
                ? "; late frames skipped: \(outcome.skippedLate) before the model, "
                    + "\(outcome.figures.skippedBeforeCompose) before compositing" : "")
    }

    /// The counts line of a run that read `framesRead` frames and dropped `dropped` of them (no newline).
    static func countsLine(framesRead: Int, dropped: Int, figures f: RunMonitor.Figures) -> String {
        "frames: read \(framesRead), processed \(f.processed), dropped \(dropped), "
            + "written \(f.written); vision encoder runs \(f.visionRuns), decoder runs \(f.maskDecoderRuns); "
            + "latency p50 \(ProgressText.milliseconds(f.latencyP50)) p95 \(ProgressText.milliseconds(f.latencyP95)) "
            + "p99 \(ProgressText.milliseconds(f.latencyP99))"
            + (f.meanTokensRecomputed.map { "; tokens recomputed \(ProgressText.percent($0))" } ?? "")
            + (f.movedMasks > 0 ? "; masks moved \(f.movedMasks)" : "")
    }
}
