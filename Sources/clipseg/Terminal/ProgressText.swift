import Foundation
import Pipeline

/// The progress and summary lines, as pure functions of a snapshot (no terminal codes here).
enum ProgressText {
    /// `m:ss`, or `h:mm:ss` from an hour on; `--:--` for unknown or absurd values.
    static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 360_000 else { return "--:--" }
        let total = Int(seconds.rounded())
        let hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// A rate with one decimal (`24.6 fps`), `-- fps` when unknown.
    static func rate(_ fps: Double?) -> String {
        guard let fps, fps.isFinite else { return "-- fps" }
        return String(format: "%.1f fps", fps)
    }

    /// Milliseconds, rounded (`120 ms`), `--` when unknown.
    static func milliseconds(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-- ms" }
        return "\(Int((seconds * 1000).rounded())) ms"
    }

    /// Seconds left at the recent rate, when both are known.
    static func eta(_ snapshot: ProgressSnapshot, total: Int) -> Double? {
        guard let fps = snapshot.processedFPS, fps > 0 else { return nil }
        return Double(max(0, total - snapshot.framesProcessed)) / fps
    }

    /// The terminal progress bar of a file run:
    /// `[############------------]  50%  150/300 frames  24.6 fps  ETA 0:06`,
    /// or without a known total `150 frames  24.6 fps  0:06 elapsed`.
    static func fileBar(_ snapshot: ProgressSnapshot, totalFrames: Int?, barWidth: Int = 24) -> String {
        guard let total = totalFrames, total > 0 else {
            return "\(snapshot.framesProcessed) frames  \(rate(snapshot.processedFPS))  \(clock(snapshot.elapsed)) elapsed"
        }
        let fraction = min(1, Double(snapshot.framesProcessed) / Double(total))
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        let percent = Int((fraction * 100).rounded(.down))
        let percentText = String(repeating: " ", count: 3 - String(percent).count) + "\(percent)%"
        return "[\(bar)] \(percentText)  \(snapshot.framesProcessed)/\(total) frames  \(rate(snapshot.processedFPS))"
            + "  ETA \(clock(eta(snapshot, total: total)))"
    }

    /// The periodic plain line of a file run (stderr not a terminal):
    /// `progress: 150/300 frames (50%), 24.6 fps, ETA 0:06` or `progress: 150 frames, 24.6 fps, 0:06 elapsed`.
    static func fileLine(_ snapshot: ProgressSnapshot, totalFrames: Int?) -> String {
        guard let total = totalFrames, total > 0 else {
            return "progress: \(snapshot.framesProcessed) frames, \(rate(snapshot.processedFPS)), "
                + "\(clock(snapshot.elapsed)) elapsed"
        }
        let percent = Int((min(1, Double(snapshot.framesProcessed) / Double(total)) * 100).rounded(.down))
        return "progress: \(snapshot.framesProcessed)/\(total) frames (\(percent)%), \(rate(snapshot.processedFPS)), "
            + "ETA \(clock(eta(snapshot, total: total)))"
    }

    /// The status line of a live run:
    /// `live: capture 30.0 fps, processed 7.5 fps, dropped 45, latency p50 120 ms p95 180 ms`.
    /// With token reuse it ends with `, tokens 31%` (the mean fraction of token-layer updates done).
    static func liveStatus(_ snapshot: ProgressSnapshot) -> String {
        "live: capture \(rate(snapshot.captureFPS)), processed \(rate(snapshot.processedFPS)), "
            + "dropped \(snapshot.dropped), latency p50 \(milliseconds(snapshot.latencyP50)) "
            + "p95 \(milliseconds(snapshot.latencyP95))"
            + (snapshot.meanTokensRecomputed.map { ", tokens \(percent($0))" } ?? "")
    }

    /// `0.314` → `31%`.
    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }

    /// The final summary line. File: `done: 300 frames in 0:12 (24.4 fps)` (`, 3 dropped` when any);
    /// live: `done: captured 900 frames in 0:30 (30.0 fps), processed 240 (8.0 fps), dropped 660,
    /// latency p50 120 ms p95 180 ms`. `interrupted` replaces `done` after SIGINT/SIGTERM or `quit`.
    static func summary(_ snapshot: ProgressSnapshot, live: Bool, interrupted: Bool = false) -> String {
        let head = interrupted ? "interrupted" : "done"
        let seconds = snapshot.elapsed > 0 ? snapshot.elapsed : nil
        func average(_ count: Int) -> String { rate(seconds.map { Double(count) / $0 }) }
        if live {
            return "\(head): captured \(snapshot.framesRead) frames in \(clock(snapshot.elapsed)) "
                + "(\(average(snapshot.framesRead))), processed \(snapshot.framesProcessed) "
                + "(\(average(snapshot.framesProcessed))), dropped \(snapshot.dropped), "
                + "latency p50 \(milliseconds(snapshot.latencyP50)) p95 \(milliseconds(snapshot.latencyP95))"
        }
        var line = "\(head): \(snapshot.framesProcessed) frames in \(clock(snapshot.elapsed)) "
            + "(\(average(snapshot.framesProcessed)))"
        if snapshot.dropped > 0 { line += ", \(snapshot.dropped) dropped" }
        return line
    }
}
