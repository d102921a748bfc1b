/// The frames of another source whose timestamps lie in a `TimeWindow`: one time shard of a long video.
///
/// Frames keep the source's index and timestamp, so a shard's outputs carry the original frame numbers
/// and times. Frames before the window are passed over with the source's `skip(until:)` (a decoder leaves
/// out frames nothing refers to and never converts what it skips) up to `skipMargin` seconds before the
/// start (by default 2 s or 32 frame periods, whichever is longer); the last stretch is read and dropped here,
/// because a frame-threaded decoder may lose the frames it had in flight when skipping ends. Reading stops at the first frame at or after the window's end (the
/// source is not read further). Owns `source`: `close()` closes it.
///
/// Not thread-safe, like any `FrameSource`: one reading thread.
public final class TimeWindowSource: FrameSource {
    public let window: TimeWindow
    /// How far before the window's start skipping ends, in seconds.
    public let skipMargin: Double
    public let info: SourceInfo
    private let source: any FrameSource
    private var started = false
    private var ended = false
    /// The source's `framesSkipped` when the window opened: skips before it are not this shard's.
    private var skippedBeforeWindow: Int?

    public init(source: any FrameSource, window: TimeWindow, skipMargin: Double? = nil) {
        self.source = source
        self.window = window
        var info = source.info
        self.skipMargin = skipMargin ?? max(2, 32 / (info.frameRate ?? 25))
        let start = window.startSeconds
        let end = [window.durationSeconds.map { start + $0 }, info.duration].compactMap { $0 }.min()
        info.duration = end.map { max(0, $0 - start) }
        if let duration = info.duration, let rate = info.frameRate {
            info.frameCount = Int((duration * rate).rounded(.up))
        } else {
            info.frameCount = nil
        }
        self.info = info
    }

    public var warnings: [String] { source.warnings }

    public func nextFrame() throws -> RGBFrame? {
        if !started {
            started = true
            let skipTo = window.startSeconds - skipMargin
            if skipTo > 0 { _ = source.skip(until: skipTo) }
        }
        while !ended, let frame = try source.nextFrame() {
            switch window.placement(of: frame.timestamp) {
            case .before:
                continue
            case .after:
                ended = true
            case .inside:
                if skippedBeforeWindow == nil { skippedBeforeWindow = source.framesSkipped }
                return frame
            }
        }
        return nil
    }

    public func close() { source.close() }

    public func skip(until timestamp: Double) -> Bool { source.skip(until: timestamp) }

    /// Frames of the window the source passed over (a live run catching up), not those before the window.
    public var framesSkipped: Int { skippedBeforeWindow.map { source.framesSkipped - $0 } ?? 0 }
}
