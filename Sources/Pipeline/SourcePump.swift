import Foundation
import StreamKit
import VideoFrames

/// A frame with the moment it was read from its source (monotonic seconds, for capture → mask latency).
public struct CapturedFrame: Sendable {
    public var frame: RGBFrame
    /// `MonotonicClock` time at which `nextFrame()` returned it.
    public var capturedAt: Double

    public init(frame: RGBFrame, capturedAt: Double) {
        self.frame = frame
        self.capturedAt = capturedAt
    }
}

/// Drives a blocking `FrameSource` on a thread of its own and sends every frame, in order, to each of its
/// output channels (e.g. a latest-wins channel to the vision encoder and a lossless one to the compositor
/// for `--keep-frames`). Lossless outputs hold the thread back when full; nothing blocks the cooperative pool.
///
/// The pump ends at the end of input, on `stop()` (checked between frames), when an output is cancelled,
/// or on a read error; then it closes the source and finishes every output (or fails them with the read
/// error, after the frames already sent). The source belongs to the pump from `init` on.
public final class SourcePump: Sendable {
    /// How fast frames are read.
    public enum Pacing: Sendable {
        /// As fast as the source and the outputs allow (files).
        case asFastAsPossible
        /// At the source's own rate: frame `n` is not read before `start + (timestamp_n - timestamp_0)`;
        /// `sleep(seconds)` waits (`--realtime`, so a file behaves like a camera). A frame is stamped as
        /// captured at that due time, the moment a camera would have delivered it, also when reading it
        /// took longer: a late read then counts in the capture → mask latency instead of hiding in it.
        case realtime(sleep: @Sendable (Double) -> Void)
        /// As fast as the source delivers (a network stream), its timestamps measured against the clock so
        /// that falling behind is noticed (`latenessBound`).
        case live
    }

    /// Why the pump stopped.
    public enum Ending: Sendable {
        case endOfInput
        case stopped
        /// An output channel was closed by its consumer.
        case outputClosed
        case failed(any Error)
    }

    /// What the pump did.
    public struct Outcome: Sendable {
        public var framesRead: Int
        /// Frames passed over because reading fell behind (read late, or skipped by the source unconverted).
        public var framesSkipped: Int = 0
        public var ending: Ending
        /// The source's one-line warnings, oldest first.
        public var warnings: [String]
    }

    private final class SourceBox: @unchecked Sendable {
        let source: any FrameSource
        init(_ source: any FrameSource) { self.source = source }
    }

    private struct State {
        var started = false
        var stopRequested = false
        var outcome: Outcome?
        var waiters: [CheckedContinuation<Outcome, Never>] = []
    }

    private let box: SourceBox
    private let outputs: [BoundedChannel<CapturedFrame>]
    private let clock: any MonotonicClock
    private let pacing: Pacing
    private let threadName: String
    private let niceness: Int32
    private let latenessBound: Double?
    private let state = LockedState(State())

    /// `niceness`: how far below the model's threads the reading thread runs (`ThreadNiceness`; 0 keeps it).
    /// `latenessBound` (seconds; `.realtime` and `.live` pacing): a frame read later than this after its due
    /// time is passed over, and the source is asked to skip ahead (`FrameSource.skip(until:)`), so a slow
    /// decoder — or outputs that hold the lossless queue back — cannot make latency grow without bound.
    public init(source: sending any FrameSource, outputs: [BoundedChannel<CapturedFrame>],
                clock: any MonotonicClock = SystemClock(), pacing: Pacing = .asFastAsPossible,
                threadName: String = "clipseg-capture", niceness: Int32 = 0, latenessBound: Double? = nil) {
        self.latenessBound = latenessBound
        box = SourceBox(source)
        self.outputs = outputs
        self.clock = clock
        self.pacing = pacing
        self.threadName = threadName
        self.niceness = niceness
    }

    /// Starts the thread (once; later calls do nothing).
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        DedicatedThread.start(name: threadName, niceness: niceness) { [self] in
            let outcome = run()
            let waiters = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
                state.outcome = outcome
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0.resume(returning: outcome) }
        }
    }

    /// Asks the pump to stop before the next frame (SIGINT); the outputs then finish normally.
    public func stop() {
        state.withLock { $0.stopRequested = true }
    }

    /// Waits for the pump to end and tells how it ended.
    public func outcome() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Longest stretch (seconds) of frames skipped for lateness before the source is followed at its pace.
    static let longestSkip = 1.0

    private func run() -> Outcome {
        let source = box.source
        var count = 0, lateFrames = 0
        /// When the frames being skipped for lateness started (nil while frames are sent).
        var behindSince: Double?
        var origin: (clock: Double, timestamp: Double)?
        var ending = Ending.endOfInput
        reading: while true {
            if stopRequested { ending = .stopped; break }
            let frame: RGBFrame?
            do {
                frame = try source.nextFrame()
            } catch {
                ending = .failed(error)
                break
            }
            guard let frame else { break }
            var capturedAt = clock.now()
            if case .asFastAsPossible = pacing {} else if let start = origin {
                let due = start.clock + (frame.timestamp - start.timestamp)
                let wait = due - capturedAt
                if wait > 0, case .realtime(let sleep) = pacing { sleep(wait) }
                if let latenessBound, -wait > latenessBound {
                    // Behind: this frame would arrive stale. Skip ahead by how late it is, and as far again,
                    // since skipping costs time too. A source that cannot skip, or that has not caught up
                    // within a second of skipping, is followed at its own pace from here (frames stamped
                    // as read), so something is always written.
                    let since = behindSince ?? capturedAt
                    if capturedAt - since < Self.longestSkip, source.skip(until: frame.timestamp - 2 * wait) {
                        behindSince = since
                        lateFrames += 1
                        continue
                    }
                    origin = (capturedAt, frame.timestamp)
                } else if case .realtime = pacing {
                    capturedAt = due
                }
            } else {
                origin = (capturedAt, frame.timestamp)
            }
            behindSince = nil
            let captured = CapturedFrame(frame: frame, capturedAt: capturedAt)
            count += 1
            for output in outputs {
                do {
                    try output.sendBlocking(captured)
                } catch {
                    ending = .outputClosed
                    break reading
                }
            }
        }
        let warnings = source.warnings, skipped = source.framesSkipped
        source.close()
        for output in outputs {
            if case .failed(let error) = ending { output.fail(error) } else { output.finish() }
        }
        return Outcome(framesRead: count, framesSkipped: lateFrames + skipped, ending: ending, warnings: warnings)
    }
}
