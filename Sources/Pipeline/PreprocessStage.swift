import StreamKit

/// Preprocess stage, on its own thread: every captured frame → model input (scaled to the model size and
/// normalised), into buffers recycled through a `RecyclingPool`, then offered to the vision stage's
/// queue (lossless for files, so preprocessing frame N+1 overlaps encoding frame N). Counts captures for
/// the progress display.
///
/// With `deferToVision` (live sources) frames are passed on as they are and the vision stage preprocesses
/// only the frames it takes: preprocessing every captured frame would spend CPU on frames the latest-wins
/// queue then drops — on two cores, CPU taken from the model.
actor PreprocessStage<Backend: SegmentationBackend> {
    private let executor = DedicatedThreadExecutor(name: "clipseg-prep")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let backend: Backend
    private let pool: RecyclingPool<Backend.Input>
    private let monitor: RunMonitor
    private let deferToVision: Bool

    init(backend: Backend, pool: RecyclingPool<Backend.Input>, monitor: RunMonitor, deferToVision: Bool) {
        self.backend = backend
        self.pool = pool
        self.monitor = monitor
        self.deferToVision = deferToVision
    }

    /// Runs until `input` ends, then finishes `output`. Throws preprocessing errors; a closed `output`
    /// (the run is being torn down) ends the stage quietly.
    func run(input: BoundedChannel<CapturedFrame>, output: BoundedChannel<PreparedFrame<Backend.Input>>) async throws {
        for try await captured in input {
            monitor.recordCapture(at: captured.capturedAt)
            let payload: PreparedFrame<Backend.Input>.Payload = deferToVision
                ? .deferred(captured.frame) : .prepared(try backend.prepare(captured.frame, recycling: pool.take()))
            do {
                try await output.send(PreparedFrame(index: captured.frame.index, capturedAt: captured.capturedAt,
                                                    payload: payload))
            } catch is ChannelError {
                return
            }
        }
        output.finish()
    }
}
