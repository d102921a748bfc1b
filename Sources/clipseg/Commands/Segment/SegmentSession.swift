import Foundation
import MediaIO
import Pipeline
import PreviewServer
import StreamKit
import Synchronization
import UserText
import VideoFrames
#if canImport(Glibc)
import Glibc
#endif

/// One `clipseg segment` run once everything is open: runs the pipeline with SIGINT/SIGTERM handling,
/// `--control` commands and the progress display, then prints the summary and picks the exit status
/// (0; 130/143 after a signal; a thrown `CommandFailure` → its status). When the run failed or was interrupted
/// (a signal, or `quit` on `--control`), outputs that no frame reached are removed (a header-only file is no result) and a line says which.
///
/// `@unchecked Sendable`: made on the setup thread and handed over whole; the source and sinks inside
/// are used only by the pipeline's threads from then on.
final class SegmentSession: @unchecked Sendable {
    private let request: SegmentRequest
    private let backend: CLIPSegBackend
    private let prompts: PromptBook
    private let composition: CompositionSettings
    private let flow: SegmentationPipeline<CLIPSegBackend>.Flow
    private let source: any FrameSource
    private let interruptSource: @Sendable () -> Void
    private let isCamera: Bool
    private let sinks: [any FrameSink]
    /// What to remove for each sink (same order) when nothing was written to it; nil for standard output.
    private let removableOutputs: [RemovableOutput?]
    private let controlDescriptor: Int32?
    private let info: SourceInfo

    init(request: SegmentRequest, backend: CLIPSegBackend, prompts: PromptBook, composition: CompositionSettings,
         flow: SegmentationPipeline<CLIPSegBackend>.Flow, source: any FrameSource,
         interruptSource: @escaping @Sendable () -> Void, isCamera: Bool, sinks: [any FrameSink],
         removableOutputs: [RemovableOutput?], controlDescriptor: Int32?) {
        self.request = request
        self.backend = backend
        self.prompts = prompts
        self.composition = composition
        self.flow = flow
        self.source = source
        self.interruptSource = interruptSource
        self.isCamera = isCamera
        self.sinks = sinks
        self.removableOutputs = removableOutputs
        self.controlDescriptor = controlDescriptor
        info = source.info
    }

    /// Runs to the end; returns the exit status, or throws the run's failure after the summary.
    /// `interruption` stops the pipeline on SIGINT/SIGTERM from its start on.
    func run(interruption: SegmentInterruption) async throws -> Int32 {
        let pipeline = SegmentationPipeline(backend: backend, prompts: prompts, composition: composition, flow: flow,
                                            source: source, interruptSource: interruptSource, sinks: sinks)
        interruption.running(stop: { pipeline.stop() })
        let quitRequested = QuitFlag()
        let control = SegmentControl(pipeline: pipeline, prompts: prompts.positiveNames,
                                     threshold: composition.maskOptions.threshold,
                                     smoothing: composition.maskOptions.smoothing ?? 1,
                                     tokenLimit: backend.prompts.tokenLimit ?? 77, quiet: request.quiet,
                                     onQuit: { quitRequested.set() })
        let controlInput = controlDescriptor.map { startControl($0, control: control) }
        startPreview(control: control, pipeline: pipeline)
        let progress = request.quiet ? nil : startProgress(pipeline)
        let outcome = await pipeline.run()
        controlInput?.cancel()
        progress?.cancel()
        var reporter = await progress?.value
        let signal = interruption.signal
        var failed = false
        if case .failed = outcome.ending { failed = true }
        let lostStream = signal == nil
            ? SegmentStreamInput.lostStreamFailure(source, reconnecting: request.network.reconnect != nil) : nil
        if lostStream != nil { failed = true }
        let removed = failed || signal != nil || quitRequested.isSet ? removeUnwrittenOutputs(outcome) : []
        if !request.quiet {
            let warnings = isCamera ? outcome.warnings.filter { !source.warnings.contains($0) } : outcome.warnings
            for warning in warnings { StandardError.write("warning: \(warning)") }
            let interrupted = signal != nil || quitRequested.isSet
            if let summary = reporter?.finish(RunSummary.snapshot(outcome), interrupted: interrupted) {
                StandardError.writeRaw(summary)
            }
            StandardError.write(RunSummary.countsLine(outcome))
            for name in outcome.closedOutputs { StandardError.write("\(name) was closed by its reader; stopped early") }
            if !removed.isEmpty {
                let pronoun = removed.count == 1 ? "it" : "them"
                StandardError.write("clipseg: removed \(RemovableOutput.list(removed)): the run ended before any frame was written to \(pronoun)")
            }
        }
        if case .failed(let error) = outcome.ending { throw CommandFailure.runtime(String(describing: error)) }
        if let lostStream { throw lostStream }
        return signal.map { InterruptPolicy.exitCode(for: $0) } ?? 0
    }

    /// Removes the outputs no frame reached; returns their paths.
    private func removeUnwrittenOutputs(_ outcome: SegmentationOutcome) -> [String] {
        zip(removableOutputs, outcome.framesWrittenPerOutput).compactMap { removable, written in
            guard written == 0, let removable, removable.remove(opened: true) else { return nil }
            return removable.path
        }
    }

    /// Reads `--control` commands and applies them through `control`.
    private func startControl(_ descriptor: Int32, control: SegmentControl) -> Task<Void, Never> {
        let commands = ControlCommandReader.start(fileDescriptor: descriptor)
        return Task {
            for await result in commands {
                if Task.isCancelled { break }
                switch result {
                case .failure(let error): control.reportUnparsed(error)
                case .success(let command): _ = await control.apply(command)
                }
            }
        }
    }

    /// Connects the preview page (`--preview`) to the run's figures and to `control`, and starts serving it.
    private func startPreview(control: SegmentControl, pipeline: SegmentationPipeline<CLIPSegBackend>) {
        guard let preview = sinks.lazy.compactMap({ $0 as? PreviewFrameSink }).first else { return }
        preview.server.start(PreviewHandlers(
            status: { PreviewRunStatus(progress: pipeline.progress(), prompts: control.prompts, threshold: control.threshold,
                                     smoothing: control.smoothing) },
            control: { command in
                let outcome = await control.apply(command)
                return PreviewControlReply(applied: outcome.applied, message: outcome.message)
            }))
    }

    /// Redraws the progress bar / status line until cancelled; returns the reporter for the summary.
    private func startProgress(_ pipeline: SegmentationPipeline<CLIPSegBackend>) -> Task<ProgressReporter, Never> {
        let live = flow.live, total = info.frameCount
        return Task {
            var reporter = ProgressReporter(source: live ? .live : .file(totalFrames: total),
                                            isTerminal: isatty(STDERR_FILENO) != 0)
            let clock = SystemClock()
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 250_000_000)
                if Task.isCancelled { break }
                if let text = reporter.update(pipeline.progress(), now: clock.now()) { StandardError.writeRaw(text) }
            }
            return reporter
        }
    }
}

/// Set once a `quit` control command stopped the run (the summary then says "interrupted").
private final class QuitFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
