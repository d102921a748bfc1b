import Foundation
import UserText

/// What became of one batch job, for the summary table and the `--report` NDJSON line.
struct BatchOutcome: Sendable {
    enum Status: String, Sendable {
        /// The child succeeded and every output was renamed into place.
        case done
        /// `--resume`: every output already existed.
        case skipped
        /// The child failed (or could not start, or an output could not be renamed); partial files removed.
        case failed
        /// The batch was interrupted while (or before) the job ran; partial files removed.
        case interrupted
    }

    let job: BatchJob
    var status: Status
    var frames = 0
    var seconds = 0.0
    /// When the child started and ended (seconds since 1970), nil for a job that did not run.
    var started: Double?
    var ended: Double?
    var exitStatus: Int32?
    var error: String?

    /// The report line: `{"id":…,"line":…,"input":…,"status":…,"frames":…,"seconds":…,"started":…,"ended":…,
    /// "exit":…,"error":…,"outputs":[…]}`.
    var reportLine: String {
        let outputs = job.outputs.map(\.path.jsonStringLiteral).joined(separator: ",")
        return "{\"id\":\(job.id.jsonStringLiteral),\"line\":\(job.line),\"input\":\(job.input.jsonStringLiteral),"
            + "\"status\":\"\(status.rawValue)\",\"frames\":\(frames),\"seconds\":\(String(format: "%.3f", seconds)),"
            + "\"started\":\(started.map { String(format: "%.3f", $0) } ?? "null"),"
            + "\"ended\":\(ended.map { String(format: "%.3f", $0) } ?? "null"),"
            + "\"exit\":\(exitStatus.map(String.init) ?? "null"),\"error\":\(error?.jsonStringLiteral ?? "null"),"
            + "\"outputs\":[\(outputs)]}"
    }

    /// The summary: one row per job (id, status, frames, seconds, error), then a totals line.
    static func summary(_ outcomes: [BatchOutcome], elapsed: Double) -> String {
        let idWidth = min(40, max(3, outcomes.map(\.job.id.count).max() ?? 3))
        func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
            let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
            let space = String(repeating: " ", count: max(0, width - cut.count))
            return right ? space + cut : cut + space
        }
        var lines = [pad("job", idWidth) + "  " + pad("status", 11) + pad("frames", 8, right: true)
                     + pad("seconds", 9, right: true) + "  error"]
        for outcome in outcomes {
            let ran = outcome.status == .done || outcome.status == .failed
            lines.append(pad(outcome.job.id.escapingControlCharacters, idWidth) + "  " + pad(outcome.status.rawValue, 11)
                         + pad(ran ? String(outcome.frames) : "-", 8, right: true)
                         + pad(ran ? String(format: "%.1f", outcome.seconds) : "-", 9, right: true)
                         + "  " + (outcome.error?.escapingControlCharacters ?? ""))
        }
        let count = { (status: Status) in outcomes.filter { $0.status == status }.count }
        let frames = outcomes.map(\.frames).reduce(0, +)
        var totals = "batch: \(outcomes.count) jobs: \(count(.done)) done, \(count(.failed)) failed, \(count(.skipped)) skipped"
        if count(.interrupted) > 0 { totals += ", \(count(.interrupted)) interrupted" }
        totals += "; \(frames) frames in \(String(format: "%.1f", elapsed)) s"
        if elapsed > 0 && frames > 0 { totals += String(format: " (%.2f fps)", Double(frames) / elapsed) }
        lines.append(totals)
        return lines.joined(separator: "\n")
    }
}
