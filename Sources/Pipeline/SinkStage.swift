import StreamKit
import VideoFrames

/// Runs one `FrameSink` on a thread of its own, fed by a lossless queue from the compose stage, so
/// encoding and file I/O overlap with the rest of the chain.
///
/// When the sink's reader goes away (an `OutputClosedError` that says so, e.g. `| head -c 1000`), the stage
/// finalises the sink, cancels its queue (the compose stage then stops sending to it) and calls
/// `onClosed`, and the run stops cleanly. Other write errors are thrown after the same clean-up.
actor SinkStage {
    /// How a sink ended.
    struct Report: Sendable {
        var name: String
        var framesWritten: Int
        /// The reader closed the output before the end.
        var closedByReader: Bool
        var warnings: [String]
        /// The write or finish error that ended the sink (after its clean-up), if any.
        var failure: (any Error)?
    }

    private let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let sink: any FrameSink
    nonisolated let name: String
    nonisolated let needs: SinkNeeds

    /// Takes `sink` over: from now on only this stage's thread touches it. `niceness`: how far below the
    /// model's threads that thread runs (`ThreadNiceness`).
    init(sink: HandedOver<any FrameSink>, threadName: String, niceness: Int32 = 0) {
        executor = DedicatedThreadExecutor(name: threadName, niceness: niceness)
        name = sink.value.name
        needs = sink.value.needs
        self.sink = sink.value
    }

    /// Writes every frame of `input` until it ends, then finishes the sink. A write error ends it after the
    /// same clean-up and is returned in the report, with the frames written before it.
    func run(input: BoundedChannel<ComposedFrame>, onClosed: @Sendable () -> Void) async -> Report {
        var written = 0
        do {
            for try await frame in input {
                try sink.write(frame)
                written += 1
            }
            try sink.finish()
            return Report(name: name, framesWritten: written, closedByReader: false, warnings: sink.warnings, failure: nil)
        } catch let closed as any OutputClosedError where closed.isOutputClosed {
            try? sink.finish()
            input.cancel()
            onClosed()
            return Report(name: name, framesWritten: written, closedByReader: true, warnings: sink.warnings, failure: nil)
        } catch {
            try? sink.finish()
            input.cancel()
            return Report(name: name, framesWritten: written, closedByReader: false, warnings: sink.warnings,
                          failure: error)
        }
    }
}

/// A non-Sendable value moved to another thread by its only owner (who keeps no reference), e.g. each
/// sink of a list handed to its own `SinkStage`. The compiler cannot see the hand-over of array
/// elements one by one, hence `@unchecked`.
struct HandedOver<Value>: @unchecked Sendable {
    let value: Value
}
