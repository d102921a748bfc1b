/// Preprocess stage, on its own thread: every captured frame → model input (scaled to the model size and
/// normalised), into buffers recycled through a `RecyclingPool`, then offered to the vision stage's
/// queue (latest-wins for live sources, lossless for files). Counts captures for the progress display.
actor PreprocessStage<Backend: SegmentationBackend> {
    private let executor = DedicatedThreadExecutor(name: "clipseg-prep")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let backend: Backend
    private let pool: RecyclingPool<Backend.Input>
    private let monitor: RunMonitor

    init(backend: Backend, pool: RecyclingPool<Backend.Input>, monitor: RunMonitor) {
        self.backend = backend
        self.pool = pool
        self.monitor = monitor
    }

    /// Runs until `input` ends, then finishes `output`. Throws preprocessing errors; a closed `output`
    /// (the run is being torn down) ends the stage quietly.
    func run(input: BoundedChannel<CapturedFrame>, output: BoundedChannel<PreparedFrame<Backend.Input>>) async throws {
        for try await captured in input {
            monitor.recordCapture(at: captured.capturedAt)
            let prepared = try backend.prepare(captured.frame, recycling: pool.take())
            do {
                try await output.send(PreparedFrame(index: captured.frame.index, capturedAt: captured.capturedAt,
                                                    input: prepared))
            } catch is ChannelError {
                return
            }
        }
        output.finish()
    }
}
