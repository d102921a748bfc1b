import StreamKit

/// Mask decoder stage, on its own thread (so decoding frame N's masks overlaps encoding frame N+1): runs the
/// model's mask decoder on every prompt of a frame in one batch and records the logits in the `FrameLedger`
/// for the compose stage.
///
/// It owns the `PromptBook`: control commands (`apply`) run on this thread between two frames, so a
/// change takes effect from the next frame on, and new prompts are embedded here.
actor MaskDecoderStage<Backend: SegmentationBackend> {
    /// The thread keeps its historical name `clipseg-decoder` (not `clipseg-maskdec`): tests and scripts find
    /// it by that name in /proc and `top -H`.
    private let executor = DedicatedThreadExecutor(name: "clipseg-decoder")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let backend: Backend
    private let scratch: Backend.Scratch
    private var book: PromptBook
    private let monitor: RunMonitor
    private let turns: TurnTaking?

    /// With `turns` (live runs), tells the vision stage when each frame's masks are decoded.
    init(backend: Backend, prompts: PromptBook, monitor: RunMonitor, turns: TurnTaking? = nil) {
        self.backend = backend
        scratch = backend.makeScratch(for: .maskDecoder)
        book = prompts
        self.monitor = monitor
        self.turns = turns
    }

    /// Runs the mask decoder on every frame of `input` until it ends.
    func run(input: BoundedChannel<EncodedFrame<Backend.Features>>, ledger: FrameLedger<MaskDecoderOutput>) async throws {
        defer { turns?.downstreamStopped() }
        for try await encoded in input {
            let conditionals = book.conditionals
            let logits = try backend.decodeMasks(encoded.features, conditionals: conditionals, scratch: scratch)
            monitor.recordMaskDecoderRun()
            ledger.resolve(encoded.index, .processed(MaskDecoderOutput(
                index: encoded.index, logits: logits, positiveNames: book.positiveNames,
                negativeCount: book.negativeCount, promptRevision: book.revision,
                tokensRecomputed: encoded.tokensRecomputed)))
            turns?.itemFinished()
        }
    }

    /// Applies a prompt command (embedding new prompts now, on this thread).
    func apply(_ command: ControlCommand) -> PromptSet.Change {
        let backend = self.backend, scratch = self.scratch
        return book.apply(command) { texts in try backend.embed(texts: texts, scratch: scratch) }
    }

    /// The prompt labels in use now.
    var positiveNames: [String] { book.positiveNames }
}
