import ArgumentParser
import FileSafety
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg batch MANIFEST.jsonl`: segments many videos (or time shards of them), N jobs at a time, each
/// job a `clipseg segment` child process (`BatchRunner`); outputs appear under their names only when complete.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Segment many videos listed in a manifest, several jobs at a time.",
        discussion: """
        MANIFEST is JSON Lines (- reads standard input), one job per line:
          {"input": "clips/a.mp4", "prompts": ["a dog"], "masks": "out/a.y4m",
           "stats": "out/a.ndjson", "output": "out/a.mp4",
           "options": ["--threshold", "0.4"], "start": 0, "duration": 60, "id": "a"}
        input (required): a video file or URL. prompts: text prompts (may be empty when options give \
        --image-prompt). output, masks, stats (at least one): the video, the mask stream (.y4m or .gray) and \
        the statistics (NDJSON). options: any other segment options, as separate strings (not the outputs, \
        --threads, -y, --quiet, --control, --start, --duration). start, duration: a time shard, seconds or \
        "[HH:]MM:SS[.ms]" (see segment --start). id: the job's name in the summary (default "line N").

        Each job runs this binary's segment command as a child process, with --threads split between the \
        jobs; a job that fails or crashes never stops the others. Outputs are written as \
        .NAME.partial-PID.EXT beside their final name and renamed when the job succeeded, so a file with \
        the final name is always complete: --resume skips jobs whose outputs all exist, and partial files \
        left by a killed batch are removed and redone. A progress line counts jobs and frames; a summary \
        table ends the run, and --report writes one JSON line per job (id, line, input, status: \
        done|failed|skipped|interrupted, frames, seconds, started, ended (Unix time), exit, error, outputs).

        Exit status: 0 every job done or skipped; 1 a job failed; 64 a bad manifest (its line number and \
        why, nothing run); 130/143 interrupted (children get the signal and finish their outputs; partial \
        files are removed).
        """
    )

    @Argument(help: ArgumentHelp("The jobs, one JSON object per line (- for standard input).", valueName: "MANIFEST"))
    var manifest: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Jobs run at the same time.", valueName: "N"))
    var jobs: Int = 1

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Threads in all (default: all cores), split evenly between the running jobs (--threads of each).",
                               valueName: "N"))
    var threads: Int?

    @Option(help: ArgumentHelp("CLIPSeg model folder for every job (default: $CLIPSEG_MODEL, else segment's default).",
                               valueName: "DIR"))
    var model: String?

    @Flag(help: "Skip jobs whose outputs all exist (they are renamed into place only when complete).")
    var resume = false

    @Flag(name: [.customShort("y"), .customLong("overwrite")], help: "Redo jobs whose outputs exist, replacing them.")
    var overwrite = false

    @Option(help: ArgumentHelp("Write one JSON line per job: id, line, input, status, frames, seconds, started, ended, exit, error, outputs.",
                               valueName: "FILE"))
    var report: String?

    @Flag(help: "Print nothing but errors (no progress, no summary).")
    var quiet = false

    func validate() throws {
        if !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
        if resume && overwrite { throw ValidationError("--resume and -y exclude each other") }
    }

    func run() throws {
        let text: String
        do {
            text = manifest == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                                   : try String(contentsOfFile: manifest, encoding: .utf8)
        } catch {
            throw CommandFailure.runtime("\(manifest): cannot read the manifest (\((error as NSError).localizedDescription))")
        }
        let parsed: BatchManifest
        do {
            parsed = try BatchManifest(text: text)
        } catch let problem as BatchManifest.Problem {
            throw CommandFailure.usage("\(manifest) \(problem)")
        }
        if let report, parsed.jobs.contains(where: { $0.outputs.map(\.path).contains(report) || $0.input == report }) {
            throw CommandFailure.usage("--report \(report) is also a job's input or output")
        }
        try Self.checkClashes(parsed.jobs, manifest: manifest)
        let total = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let runner = BatchRunner(jobs: parsed.jobs, settings: .init(
            jobs: jobs, threadsPerJob: max(1, total / min(jobs, parsed.jobs.count)), model: model,
            resume: resume, overwrite: overwrite))
        let signals = InterruptHandler { signal, _ in runner.interrupt(signal) }
        defer { withExtendedLifetime(signals) {} }

        let started = Date()
        let terminal = isatty(STDERR_FILENO) != 0
        var lastLine = terminal ? Date.distantPast : started
        let outcomes = runner.run {
            guard !quiet, Date().timeIntervalSince(lastLine) >= (terminal ? 0.5 : 5) else { return }
            lastLine = Date()
            let progress = runner.progress()
            let line = "batch: \(progress.ended)/\(parsed.jobs.count) jobs ended (\(progress.failed) failed), "
                + "\(progress.running) running, \(progress.frames) frames, \(Int(Date().timeIntervalSince(started))) s"
            StandardError.writeRaw(terminal ? "\r" + line + ProgressReporter.eraseLine : line + "\n")
        }
        if !quiet {
            if terminal { StandardError.writeRaw("\r" + ProgressReporter.eraseLine) }
            StandardError.write(BatchOutcome.summary(outcomes, elapsed: Date().timeIntervalSince(started)))
        }
        if let report {
            let lines = outcomes.map(\.reportLine).joined(separator: "\n") + "\n"
            let partial = PartialOutput(path: report, tag: "\(getpid())")
            do {
                try Data(lines.utf8).write(to: URL(fileURLWithPath: partial.partialPath))
                try partial.commit()
            } catch {
                partial.discard()
                throw CommandFailure.runtime("--report \(report): cannot write (\((error as NSError).localizedDescription))")
            }
        }
        if let signal = runner.interruption { throw ExitCode(128 + signal) }
        if outcomes.contains(where: { $0.status == .failed }) { throw ExitCode.failure }
    }

    /// No job's output may reach any job's input, the manifest, or another output (by what the paths reach, as
    /// `segment` checks its own): refused before anything runs, so `-y` can never replace an input.
    static func checkClashes(_ jobs: [BatchJob], manifest: String) throws {
        var inputs = [RoledPath(role: "the manifest", place: manifest)]
        inputs += jobs.map { RoledPath(role: "line \($0.line) input", place: $0.input) }
        let outputs = jobs.flatMap { job in
            job.outputs.map { RoledPath(role: "line \(job.line) \($0.role)", place: OutputPaths.file($0.path)) }
        }
        if let clash = PathClashCheck.firstClash(inputs: inputs, outputs: outputs) {
            throw CommandFailure.usage("\(manifest): " + (clash.otherIsInput
                ? "\(clash.outputRole) \(clash.outputPath) would write over \(clash.otherRole) \(clash.otherPath) (the same file); an output never replaces an input"
                : "\(clash.outputRole) \(clash.outputPath) and \(clash.otherRole) \(clash.otherPath) would write to the same file; give each output its own name"))
        }
    }
}
