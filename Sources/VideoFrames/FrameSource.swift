/// What is known about a frame source before (or while) reading it.
public struct SourceInfo: Sendable, Equatable {
    /// Human-readable name: a file path, URL or camera device path.
    public var name: String
    /// Size of the frames the source delivers (after display rotation is applied).
    public var width: Int
    public var height: Int
    /// Nominal frames per second, when known (variable-rate files report their average).
    public var frameRate: Double?
    /// Duration in seconds, when known.
    public var duration: Double?
    /// Number of frames, when the container says so.
    public var frameCount: Int?
    /// True for cameras and network streams: frames arrive in real time and may be dropped downstream.
    public var isLive: Bool
    /// The input also carries sound (a file or stream with an audio track).
    public var hasAudio: Bool

    public init(name: String, width: Int, height: Int, frameRate: Double? = nil, duration: Double? = nil,
                frameCount: Int? = nil, isLive: Bool = false, hasAudio: Bool = false) {
        self.hasAudio = hasAudio
        self.name = name
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.duration = duration
        self.frameCount = frameCount
        self.isLive = isLive
    }
}

/// A blocking producer of RGB frames: a decoded file or stream, or a camera.
///
/// Calls block (decoding, waiting for the camera), so a source is driven from its own thread,
/// never from Swift's cooperative pool. A source is used by one thread at a time.
public protocol FrameSource: AnyObject {
    /// Size, rate and liveness of the source.
    var info: SourceInfo { get }
    /// The next frame, or `nil` at the end of the input. Throws on a fatal read error;
    /// recoverable damage (a corrupt packet) is skipped and reported through `warnings`.
    func nextFrame() throws -> RGBFrame?
    /// One-line warnings gathered so far (damaged data, stalls), oldest first.
    var warnings: [String] { get }
    /// Releases the device or file; further `nextFrame()` calls return `nil`.
    func close()
    /// A live run fell behind: from now on, frames whose timestamp is before `timestamp` are passed over
    /// as cheaply as the source can (a decoder skips non-reference frames, or all but keyframes when far
    /// behind, and never converts what it skips). False when the source cannot skip (a camera always
    /// hands over its newest frame).
    func skip(until timestamp: Double) -> Bool
    /// Frames passed over by `skip(until:)` so far (they keep their place in the frame numbering).
    var framesSkipped: Int { get }
}

extension FrameSource {
    public func skip(until timestamp: Double) -> Bool { false }
    public var framesSkipped: Int { 0 }
}
