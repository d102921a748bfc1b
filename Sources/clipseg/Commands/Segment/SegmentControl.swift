import Pipeline
import StreamKit
import UserText

/// The one place a running `segment` applies control commands, whoever sent them: `--control` lines and the
/// preview page's POSTs both come here, already parsed by `ControlCommand.parse`. Applies the command to the
/// pipeline, prints what happened on standard error (refusals even with `--quiet`), and keeps the prompts and
/// threshold now in force for the preview's status.
final class SegmentControl: Sendable {
    /// What became of one command: applied or refused, and the line printed after `clipseg: control: `.
    struct Outcome: Sendable, Equatable {
        var applied: Bool
        var message: String
    }

    private let pipeline: SegmentationPipeline<CLIPSegBackend>
    private let quiet: Bool
    private let tokenLimit: Int
    private let onQuit: @Sendable () -> Void
    private let inForce: LockedState<(prompts: [String], threshold: Float, smoothing: Float)>

    /// `smoothing`: the newest frame's weight in the masks' running average, 1 for none.
    init(pipeline: SegmentationPipeline<CLIPSegBackend>, prompts: [String], threshold: Float, smoothing: Float,
         tokenLimit: Int, quiet: Bool, onQuit: @escaping @Sendable () -> Void) {
        self.pipeline = pipeline
        self.quiet = quiet
        self.tokenLimit = tokenLimit
        self.onQuit = onQuit
        inForce = LockedState((prompts, threshold, smoothing))
    }

    /// The prompts (text prompts, then image prompts), the threshold and the smoothing weight in force now.
    var prompts: [String] { inForce.withLock { $0.prompts } }
    var threshold: Float { inForce.withLock { $0.threshold } }
    var smoothing: Float { inForce.withLock { $0.smoothing } }

    /// Prints a line that could not be parsed (`--control` input).
    func reportUnparsed(_ error: ControlCommandError) {
        StandardError.write("clipseg: control: \(error.message)")
    }

    /// Applies `command` from the next frame on.
    func apply(_ command: ControlCommand) async -> Outcome {
        let effect = await pipeline.apply(command)
        switch effect {
        case .refused(let reason):
            StandardError.write("clipseg: control: \(reason)")
            return Outcome(applied: false, message: reason)
        case .quit:
            onQuit()
            return report(Outcome(applied: true, message: "quit, stopping"))
        case .thresholdChanged(let value):
            inForce.withLock { $0.threshold = value }
            return report(Outcome(applied: true, message: "threshold \(value)"))
        case .smoothingChanged(let value):
            inForce.withLock { $0.smoothing = value }
            return report(Outcome(applied: true, message: value < 1 ? "smoothing \(value)" : "smoothing off"))
        case .effectChanged(let prompt, let effect, let added):
            if added { inForce.withLock { $0.prompts.append(prompt) } }
            let shown = "'\(prompt.escapingControlCharacters)'"
            return report(Outcome(applied: true, message: (effect.map { "effect \($0.name) on \(shown)" } ?? "no effect on \(shown)")
                                  + (added ? " (added as a prompt)" : "")))
        case .promptsChanged(let added, let removed, let truncated):
            inForce.withLock { state in
                let removedKeys = Set(removed.map(PromptSet.key))
                state.prompts.removeAll { removedKeys.contains(PromptSet.key($0)) }
                state.prompts += added
            }
            if !quiet {
                for prompt in truncated {
                    StandardError.write(PromptLengthWarning.message(source: "--control prompt", prompt: prompt,
                                                                    limit: tokenLimit))
                }
            }
            let parts = added.map { "added '\($0.escapingControlCharacters)'" }
                + removed.map { "removed '\($0.escapingControlCharacters)'" }
            return report(Outcome(applied: true, message: parts.joined(separator: ", ")))
        }
    }

    private func report(_ outcome: Outcome) -> Outcome {
        if !quiet { StandardError.write("clipseg: control: \(outcome.message)") }
        return outcome
    }
}
