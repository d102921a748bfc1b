/// How many items each queue of `SegmentationPipeline` and its input pool hold; `FrameMemoryEstimate`
/// counts the frames in flight from the same numbers.
enum QueueDepths {
    /// Recycled model inputs kept for reuse.
    static let inputPool = 4
    /// Captured frames waiting for the preprocess stage.
    static let capture = 2
    /// Prepared inputs waiting for the vision stage when reading a file (live sources keep only the newest).
    static let visionFromFile = 2
    /// Encoded frames waiting for the decoder.
    static let decoder = 1
    /// Composed frames waiting for each output.
    static let sink = 4

    /// Frames the keep-frames queue may hold: enough for the frames in flight on the model side, and for
    /// live sources about two seconds of capture, at most ~128 MiB of pixels (`frameBytes` a frame).
    static func keep(live: Bool, frameRate: Double?, frameBytes: Int) -> Int {
        let inFlight = 12
        guard live else { return inFlight }
        let frameBytes = max(1, frameBytes)
        let twoSeconds = Int((2 * (frameRate ?? 30)).rounded(.up))
        return max(inFlight / 2, min(max(inFlight, twoSeconds), (128 << 20) / frameBytes))
    }
}
