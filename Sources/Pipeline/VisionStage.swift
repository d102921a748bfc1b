import StreamKit

/// Vision stage, on its own thread: the image encoder, run exactly once per processed frame whatever the
/// number of prompts. Its input queue is the one place frames are dropped (latest-wins when live).
/// Preprocesses deferred frames (live sources) itself, and gives each input buffer back to the pool once
/// encoded.
actor VisionStage<Backend: SegmentationBackend> {
    private let executor = DedicatedThreadExecutor(name: "clipseg-vision")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let backend: Backend
    private let scratch: Backend.Scratch
    private let pool: RecyclingPool<Backend.Input>
    private let monitor: RunMonitor
    private let turns: TurnTaking?
    private let freshness: (wait: FreshFrameWait, clock: any MonotonicClock, sleep: @Sendable (Double) -> Void)?

    /// With `turns` (live runs), the mask decoder stage finishes each frame before the next frame is taken. With
    /// `freshness` (live runs of a known frame rate), a frame more than half a period old is passed
    /// over for the next one (`FreshFrameWait`); `sleep` blocks this stage's thread.
    init(backend: Backend, pool: RecyclingPool<Backend.Input>, monitor: RunMonitor,
         turns: TurnTaking? = nil,
         freshness: (wait: FreshFrameWait, clock: any MonotonicClock, sleep: @Sendable (Double) -> Void)? = nil) {
        self.backend = backend
        scratch = backend.makeScratch(for: .vision)
        self.pool = pool
        self.monitor = monitor
        self.turns = turns
        self.freshness = freshness
    }

    /// Runs until `input` ends, then finishes `output`.
    func run(input: BoundedChannel<PreparedFrame<Backend.Input>>,
             output: BoundedChannel<EncodedFrame<Backend.Features>>) async throws {
        while true {
            if let freshness, let capturedAt = input.peekNewest({ $0.capturedAt }) {
                let pause = freshness.wait.pause(age: freshness.clock.now() - capturedAt)
                if pause > 0 { freshness.sleep(pause) }
            }
            guard let prepared = try await input.next() else { break }
            let modelInput: Backend.Input
            switch prepared.payload {
            case .prepared(let ready): modelInput = ready
            case .deferred(let frame): modelInput = try backend.prepare(frame, recycling: pool.take())
            }
            let features = try backend.encode(modelInput, scratch: scratch)
            let tokensRecomputed = backend.tokensRecomputed(features)
            monitor.recordVisionRun(tokensRecomputed: tokensRecomputed)
            pool.giveBack(modelInput)
            do {
                try await output.send(EncodedFrame(index: prepared.index, capturedAt: prepared.capturedAt,
                                                   features: features, tokensRecomputed: tokensRecomputed))
            } catch is ChannelError {
                return
            }
            turns?.waitForTurn()
        }
        output.finish()
    }
}
