import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the jobs of a batch `jobs` at a time, each as a `segment` child (`SegmentChildProcess`) on a
/// thread of its own, so one job's crash or failure never stops the others. A job writes to partial files
/// (`PartialOutput`, tagged with the batch's process id) renamed into place only when the child succeeded;
/// otherwise they are removed. `interrupt()` (SIGINT/SIGTERM) forwards the signal to the running children,
/// starts no more jobs, and `run` returns once they have ended.
final class BatchRunner: @unchecked Sendable {
    struct Settings: Sendable {
        var jobs: Int
        var threadsPerJob: Int
        var model: String?
        var resume: Bool
        var overwrite: Bool
    }

    private let settings: Settings
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var outcomes: [BatchOutcome?]
    private var running: [Int: SegmentChildProcess] = [:]
    private var interruptedBy: Int32?

    init(jobs: [BatchJob], settings: Settings) {
        self.settings = settings
        outcomes = Array(repeating: nil, count: jobs.count)
        self.jobs = jobs
    }

    let jobs: [BatchJob]

    /// Asks the running children to stop (they get `signal`) and starts no more jobs.
    func interrupt(_ signal: Int32) {
        condition.withLock {
            if interruptedBy == nil { interruptedBy = signal }
            for child in running.values { child.send(signal) }
            condition.broadcast()
        }
    }

    /// The signal that interrupted the batch, if any.
    var interruption: Int32? { condition.withLock { interruptedBy } }

    /// Progress so far: jobs ended, failed, running, and frames (ended jobs' plus the running children's).
    func progress() -> (ended: Int, failed: Int, running: Int, frames: Int) {
        condition.withLock {
            let ended = outcomes.compactMap { $0 }
            return (ended.count, ended.filter { $0.status == .failed }.count, running.count,
                    ended.map(\.frames).reduce(0, +) + running.values.map(\.frames).reduce(0, +))
        }
    }

    /// Runs every job; `tick` is called about once a second (and when a job ends) until all have ended.
    func run(tick: () -> Void) -> [BatchOutcome] {
        var next = 0
        condition.lock()
        while true {
            while interruptedBy == nil, running.count < settings.jobs, next < jobs.count {
                let index = next
                next += 1
                if let outcome = prepare(index) {
                    outcomes[index] = outcome
                    continue
                }
                let job = jobs[index]
                let partials = job.partials(tag: "\(getpid())")
                let child = SegmentChildProcess(arguments: job.segmentArguments(partials: partials, threads: settings.threadsPerJob,
                                                                               model: settings.model))
                running[index] = child
                Thread.detachNewThread { [self] in
                    let started = Date()
                    let ending = child.run()
                    var outcome = finish(job, partials: partials, ending: ending, seconds: Date().timeIntervalSince(started))
                    outcome.started = started.timeIntervalSince1970
                    outcome.ended = Date().timeIntervalSince1970
                    condition.withLock {
                        outcomes[index] = outcome
                        running[index] = nil
                        condition.broadcast()
                    }
                }
            }
            if running.isEmpty && (next == jobs.count || interruptedBy != nil) { break }
            condition.unlock()
            tick()
            condition.lock()
            if !running.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(1)) }
        }
        let result = outcomes.enumerated().map { index, outcome in
            outcome ?? BatchOutcome(job: jobs[index], status: .interrupted, error: "not started: the batch was interrupted")
        }
        condition.unlock()
        return result
    }

    /// Before a job starts (under the lock): the outcome when it does not run (finished, or its outputs exist),
    /// else nil after removing partial files earlier runs left.
    private func prepare(_ index: Int) -> BatchOutcome? {
        let job = jobs[index]
        if settings.resume && job.isFinished { return BatchOutcome(job: job, status: .skipped) }
        if !settings.overwrite && !settings.resume, let existing = job.outputs.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return BatchOutcome(job: job, status: .failed,
                                error: "\(existing.path) already exists; give --resume to skip finished jobs or -y to redo them")
        }
        for output in job.outputs {
            for leftover in PartialOutput.leftovers(of: output.path) { unlink(leftover) }
        }
        return nil
    }

    /// After the child ended: renames the partial files into place when it succeeded, else removes them.
    private func finish(_ job: BatchJob, partials: [PartialOutput], ending: SegmentChildProcess.Ending,
                        seconds: Double) -> BatchOutcome {
        var outcome = BatchOutcome(job: job, status: .done, frames: ending.frames, seconds: seconds,
                                   exitStatus: ending.exitStatus)
        var failure: String?
        if let signal = ending.signal {
            failure = "killed by signal \(signal)" + (ending.errorLine.map { " (\($0))" } ?? "")
        } else if ending.exitStatus != 0 {
            failure = ending.errorLine ?? "segment ended with status \(ending.exitStatus)"
        } else if let missing = partials.first(where: { !FileManager.default.fileExists(atPath: $0.partialPath) }) {
            failure = "segment wrote nothing to \(missing.path)"
        }
        if failure == nil {
            do {
                for partial in partials { try partial.commit() }
            } catch {
                failure = String(describing: error)
            }
        }
        if let failure {
            for partial in partials { partial.discard() }
            outcome.error = failure.replacingOccurrences(of: ".partial-\(getpid())", with: "")
            if ending.exitStatus == 130 || ending.exitStatus == 143, let signal = interruption {
                outcome.status = .interrupted
                outcome.error = "interrupted by signal \(signal) while running"
            } else {
                outcome.status = .failed
            }
        }
        return outcome
    }
}
