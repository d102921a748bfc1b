import Dispatch
import Foundation

/// Live runs' order of inference: the vision stage hands a frame's features to the decoder stage and
/// waits until they are decoded before it takes the next frame.
///
/// On a file, decoding frame N overlaps encoding frame N+1 (throughput). Live, the latency of a frame
/// is what counts: overlapped, the decoder (one thread) and the encoder (every model thread) share the
/// cores, so frame N's mask comes later and frame N+1's encoding runs slower. Taking turns, the decoder
/// runs alone on all model threads (a few milliseconds), and the next frame is picked once it is done,
/// so it is the newest frame at that moment.
///
/// The decoder stage calls `frameDecoded()` once per frame it finishes and `finish()` when it stops
/// for any reason, so a waiting vision stage never waits for a decoder that is gone.
public final class DecodeTurns: Sendable {
    private let decoded = DispatchSemaphore(value: 0)
    private let finished = LockedState(false)

    public init() {}

    /// Decoder side: one frame's features are decoded.
    public func frameDecoded() { decoded.signal() }

    /// Decoder side: no more frames will be decoded (wakes a waiting vision stage for good).
    public func finish() {
        finished.withLock { $0 = true }
        decoded.signal()
    }

    /// Vision side, on its dedicated thread: blocks until the frame just handed over is decoded or the
    /// decoder stage has stopped.
    public func waitForDecode() {
        if finished.withLock({ $0 }) { return }
        decoded.wait()
        if finished.withLock({ $0 }) { decoded.signal() }
    }
}
