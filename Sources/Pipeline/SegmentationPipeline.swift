import Foundation
import StreamKit
import VideoFrames

/// The streaming segmenter: a chain of stages, each on a thread of its own, joined by bounded queues.
///
///     source ─► capture thread (SourcePump) ─┬─► preprocess ─► [vision queue] ─► vision encoder ─► mask decoder ─┐
///                                            │                 latest-wins when live,   (once per   (all prompts,  │ FrameLedger
///                                            │                 lossless for files       frame)      one batch)     │ (processed /
///                                            └─► [keep-frames queue, lossless] ─────────────────────────► compose ◄──┘  dropped)
///                                                                                                            ├─► video sink
///                                                                                                            ├─► mask sink
///                                                                                                            └─► statistics sink
///
/// Frames are dropped in one place only, the queue in front of the vision encoder when `live` (live frames
/// are then scaled and normalised on the vision thread, after that decision, so no CPU goes into frames
/// that are dropped; files are preprocessed on their own thread, overlapping the encoder). Every
/// captured frame also goes, in order, to the compose stage, which writes it with its own mask or — when
/// it was dropped — with the most recent one (or skips it, `--processed-only`). Only Swift-owned values
/// cross between stages (`RGBFrame`, model inputs, features, logits); no FFmpeg or V4L2 pointer does.
///
/// Ending: at the end of input everything drains and every sink is finished. `stop()` (SIGINT, `quit`,
/// a closed output) stops reading and drains what is in flight the same way. A failure anywhere stops
/// reading, abandons what is in flight and still finishes the sinks, so files stay playable.
public final class SegmentationPipeline<Backend: SegmentationBackend>: Sendable {
    /// How frames flow.
    public struct Flow: Sendable {
        /// Latest-wins in front of the vision encoder (cameras, network streams, `--realtime`).
        public var live: Bool
        /// Read the source at its own pace (`--realtime`: a file behaves like a camera).
        public var realtime: Bool
        /// The source's nominal frame rate, for sizing the keep-frames queue.
        public var frameRate: Double?
        /// How far below the model's threads the capture, compose and sink threads run (`ThreadNiceness`;
        /// 0 = same priority). Live runs lower them (`ThreadNiceness.liveMedia`) so that the model, which sets the latency, wins the cores
        /// when both want them; the lossless queues between them still hold every frame.
        public var mediaNiceness: Int32
        /// Each frame's masks are decoded before the vision stage takes the next frame (`TurnTaking`), so the
        /// two never compute at once: lower latency per frame, for live runs whose backend runs the mask
        /// decoder on all model threads. Otherwise decoding frame N's masks overlaps encoding frame N+1.
        public var decodeMasksBeforeNextFrame: Bool
        /// A live stream read as fast as it arrives (not a camera, which hands over its newest frame
        /// itself): its timestamps are checked against the clock, and reading that falls behind skips ahead.
        public var stream: Bool

        /// Live runs: how late (seconds) a frame may be read, or wait in front of the compositor, before it is
        /// passed over: three frame periods, at least 0.2 s. nil for files read as fast as possible.
        public var latenessBound: Double? {
            live ? max(0.2, 3 / (frameRate ?? 30)) : nil
        }

        public init(live: Bool, realtime: Bool = false, frameRate: Double? = nil,
                    mediaNiceness: Int32 = 0, decodeMasksBeforeNextFrame: Bool = false, stream: Bool = false) {
            self.stream = stream
            self.live = live
            self.realtime = realtime
            self.frameRate = frameRate
            self.mediaNiceness = mediaNiceness
            self.decodeMasksBeforeNextFrame = decodeMasksBeforeNextFrame
        }
    }

    private struct State {
        var started = false
        var startedAt: Double?
        var stopRequested = false
        var failure: (any Error)?
        var closedOutputs: [String] = []
    }

    public let monitor: RunMonitor
    private let clock: any MonotonicClock
    private let flow: Flow
    private let pump: SourcePump
    private let interruptSource: @Sendable () -> Void
    private let captureQueue: BoundedChannel<CapturedFrame>
    private let keepQueue: BoundedChannel<CapturedFrame>
    private let visionQueue: BoundedChannel<PreparedFrame<Backend.Input>>
    private let maskDecoderQueue: BoundedChannel<EncodedFrame<Backend.Features>>
    private let sinkQueues: [BoundedChannel<ComposedFrame>]
    private let ledger = FrameLedger<MaskDecoderOutput>()
    private let preprocess: PreprocessStage<Backend>
    private let vision: VisionStage<Backend>
    private let maskDecoder: MaskDecoderStage<Backend>
    private let compose: ComposeStage
    private let sinks: [SinkStage]
    private let state = LockedState(State())

    /// Builds the chain; nothing runs before `run()`.
    /// - Parameters:
    ///   - source: read on the capture thread; owned by the pipeline from now on.
    ///   - interruptSource: makes a blocked read return promptly (`VideoFileSource.interrupt()`,
    ///     `CameraSource.close()`); called from another thread on stop or failure.
    ///   - sinks: the outputs, each written on a thread of its own; owned by the pipeline from now on.
    public init(backend: Backend, prompts: PromptBook, composition: CompositionSettings, flow: Flow,
                source: sending any FrameSource, interruptSource: @escaping @Sendable () -> Void = {},
                sinks: sending [any FrameSink], clock: any MonotonicClock = SystemClock(),
                sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.clock = clock
        self.flow = flow
        self.interruptSource = interruptSource
        monitor = RunMonitor(clock: clock)
        let pool = RecyclingPool<Backend.Input>(capacity: QueueDepths.inputPool)
        let ledger = self.ledger
        captureQueue = BoundedChannel(.bounded(QueueDepths.capture), clock: clock)
        keepQueue = BoundedChannel(.bounded(Self.keepCapacity(flow: flow, composition: composition)), clock: clock)
        visionQueue = BoundedChannel(flow.live ? .bufferingLatest(1) : .bounded(QueueDepths.visionFromFile), clock: clock) { dropped in
            ledger.resolve(dropped.index, .dropped)
            if case .prepared(let input) = dropped.payload { pool.giveBack(input) }
        }
        maskDecoderQueue = BoundedChannel(.bounded(QueueDepths.decoder), clock: clock)
        preprocess = PreprocessStage(backend: backend, pool: pool, monitor: monitor, deferToVision: flow.live)
        let turns = flow.decodeMasksBeforeNextFrame ? TurnTaking() : nil
        let freshness = flow.live ? FreshFrameWait(framesPerSecond: flow.frameRate).map { ($0, clock, sleep) } : nil
        vision = VisionStage(backend: backend, pool: pool, monitor: monitor, turns: turns,
                             freshness: freshness)
        maskDecoder = MaskDecoderStage(backend: backend, prompts: prompts, monitor: monitor, turns: turns)
        compose = ComposeStage(settings: composition, initialPromptNames: prompts.positiveNames, monitor: monitor,
                               niceness: flow.mediaNiceness, staleAfter: flow.latenessBound.map { ($0, clock) })
        var stages: [SinkStage] = []
        var queues: [BoundedChannel<ComposedFrame>] = []
        for (number, sink) in sinks.enumerated() {
            stages.append(SinkStage(sink: HandedOver(value: sink), threadName: "clipseg-sink\(number)",
                                    niceness: flow.mediaNiceness))
            queues.append(BoundedChannel(.bounded(QueueDepths.sink), clock: clock))
        }
        self.sinks = stages
        sinkQueues = queues
        pump = SourcePump(source: source, outputs: [captureQueue, keepQueue], clock: clock,
                          pacing: flow.realtime ? .realtime(sleep: sleep) : (flow.stream ? .live : .asFastAsPossible),
                          niceness: flow.mediaNiceness, latenessBound: flow.latenessBound)
    }

    /// Frames the keep-frames queue may hold (`QueueDepths.keep`).
    static func keepCapacity(flow: Flow, composition: CompositionSettings) -> Int {
        QueueDepths.keep(live: flow.live, frameRate: flow.frameRate,
                         frameBytes: composition.outputWidth * composition.outputHeight * 3)
    }

    /// Runs the chain to its end. Call once.
    public func run() async -> SegmentationOutcome {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        precondition(first, "SegmentationPipeline.run() called twice")
        let start = clock.now()
        state.withLock { $0.startedAt = start }
        var reports = [SinkStage.Report?](repeating: nil, count: sinks.count)
        let outputs = zip(sinkQueues, sinks).map { ComposeStage.Output(channel: $0, needs: $1.needs) }
        let pumpOutcome = await withTaskGroup(of: StageResult.self) { group -> SourcePump.Outcome? in
            for (number, (queue, sink)) in zip(sinkQueues, sinks).enumerated() {
                group.addTask { [self] in
                    let report = await sink.run(input: queue) { [self] in closed(sink.name) }
                    if let failure = report.failure { fail(failure) }
                    return .sink(number: number, report)
                }
            }
            group.addTask { [self] in
                await stage { try await compose.run(frames: keepQueue, ledger: ledger, outputs: outputs) }
            }
            group.addTask { [self] in
                await stage { try await maskDecoder.run(input: maskDecoderQueue, ledger: ledger) }
            }
            group.addTask { [self] in
                await stage { try await vision.run(input: visionQueue, output: maskDecoderQueue) }
            }
            group.addTask { [self] in
                await stage { try await preprocess.run(input: captureQueue, output: visionQueue) }
            }
            await visionIsWaiting()
            pump.start()
            group.addTask { [self] in .pump(await pump.outcome()) }
            var pumpOutcome: SourcePump.Outcome?
            for await result in group {
                switch result {
                case .pump(let outcome):
                    pumpOutcome = outcome
                    if case .failed(let error) = outcome.ending { fail(error) }
                case .sink(let number, let report): reports[number] = report
                case .done: break
                }
            }
            return pumpOutcome
        }
        let (failure, stopped, closedOutputs) = state.withLock { ($0.failure, $0.stopRequested, $0.closedOutputs) }
        let ending: SegmentationOutcome.Ending = failure.map { .failed($0) } ?? (stopped ? .stopped : .completed)
        return SegmentationOutcome(ending: ending, framesRead: pumpOutcome?.framesRead ?? 0,
                       dropped: visionQueue.counters.dropped, skippedLate: pumpOutcome?.framesSkipped ?? 0,
                       figures: monitor.figures, elapsed: clock.now() - start,
                       closedOutputs: closedOutputs, framesWrittenPerOutput: reports.map { $0?.framesWritten ?? 0 },
                       warnings: (pumpOutcome?.warnings ?? []) + reports.flatMap { $0?.warnings ?? [] })
    }

    /// Lets the vision stage reach its queue before the first frame, so that a live run's first frame is
    /// handed straight to the encoder instead of being dropped by the second (bounded wait: startup only).
    private func visionIsWaiting() async {
        for _ in 0..<2000 where visionQueue.waitingConsumerCount == 0 && state.withLock({ $0.failure == nil }) {
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    private enum StageResult: Sendable {
        case pump(SourcePump.Outcome)
        case sink(number: Int, SinkStage.Report)
        case done
    }

    /// Runs one stage; its error fails the run (queues closed under it are the teardown, not a cause).
    private func stage(_ body: () async throws -> Void) async -> StageResult {
        do {
            try await body()
        } catch is ChannelError {
        } catch {
            fail(error)
        }
        return .done
    }

    /// Stops reading; what is in flight is still processed and written, then the run ends (`.stopped`).
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopRequested = true }
            return !state.stopRequested
        }
        guard first else { return }
        pump.stop()
        interruptSource()
    }

    /// A sink's reader went away: stop cleanly, as on `stop()`.
    private func closed(_ name: String) {
        state.withLock { $0.closedOutputs.append(name) }
        stop()
    }

    /// Fails the run with `error` (the first failure wins): reading stops, queued frames are abandoned,
    /// the sinks are still finished.
    public func fail(_ error: any Error) {
        let first = state.withLock { state -> Bool in
            guard state.failure == nil else { return false }
            state.failure = error
            return true
        }
        guard first else { return }
        pump.stop()
        interruptSource()
        ledger.fail(error)
        captureQueue.cancel()
        visionQueue.cancel()
        maskDecoderQueue.cancel()
        keepQueue.cancel()
    }

    /// Applies a `--control` command: prompt changes on the mask decoder thread (from the next frame on), the
    /// threshold and smoothing in the compose stage, `quit` stops the run. Returns what happened (`.refused` with a
    /// one-line reason when the command could not be applied).
    public func apply(_ command: ControlCommand) async -> PromptSet.Change {
        switch command {
        case .threshold(let value):
            await compose.setThreshold(value)
            return .thresholdChanged(value)
        case .smoothing(let value):
            await compose.setSmoothing(value)
            return .smoothingChanged(value)
        case .quit:
            stop()
            return .quit
        case .addPrompt, .removePrompt, .setPrompts:
            return await maskDecoder.apply(command)
        case .effect:
            // The prompt is added (and embedded) first when it is new; the effect applies from the next frame
            // composed, so a redaction added this way blanks frames until masks of the new prompt exist.
            let change = await maskDecoder.apply(command)
            if case .effectChanged(let prompt, let effect, _) = change { await compose.setEffect(effect, for: prompt) }
            return change
        }
    }

    /// Figures for a progress line now (rates over the last seconds, or over the whole run when too few
    /// frames were recent, e.g. a slow model).
    public func progress() -> ProgressSnapshot {
        let figures = monitor.figures
        let elapsed = state.withLock { $0.startedAt }.map { clock.now() - $0 } ?? 0
        return ProgressSnapshot(framesRead: figures.captured, framesProcessed: figures.processed,
                                dropped: visionQueue.counters.dropped, elapsed: elapsed,
                                captureFPS: figures.captureFPS ?? figures.averageCaptureFPS,
                                processedFPS: figures.processedFPS ?? figures.averageProcessedFPS,
                                latencyP50: figures.latencyP50, latencyP95: figures.latencyP95,
                                meanTokensRecomputed: figures.meanTokensRecomputed)
    }
}
