import MaskRender
import VideoFrames

/// One output frame, as the compose stage hands it to every sink: only the parts some sink asked for
/// are filled in.
public struct ComposedFrame: Sendable {
    /// The source frame's index and presentation time (seconds).
    public var index: Int
    public var timestamp: Double
    /// The rendered picture (`--mode`), when there is a video output.
    public var picture: RGBFrame?
    /// Its alpha plane (cutout into a format with alpha), `width * height` bytes.
    public var alpha: [UInt8]?
    /// The mask planes for the mask stream (`--mask-layout`: one, or one per prompt), when there is one.
    public var maskPlanes: [[UInt8]]
    /// The `--stats` NDJSON line (no newline), when a sink needs statistics.
    public var statistics: String?
    /// The same figures as a value (for sinks that act on them, such as `--events`), when a sink needs statistics.
    public var measurements: FrameStatistics?

    public init(index: Int, timestamp: Double, picture: RGBFrame? = nil, alpha: [UInt8]? = nil,
                maskPlanes: [[UInt8]] = [], statistics: String? = nil) {
        self.index = index
        self.timestamp = timestamp
        self.picture = picture
        self.alpha = alpha
        self.maskPlanes = maskPlanes
        self.statistics = statistics
    }
}

/// A blocking output of composed frames: the video file, the mask stream or the statistics lines.
/// Each runs on a thread of its own (`SinkStage`), one call at a time.
///
/// A reader closing a pipe must surface as an `OutputClosedError` whose `isOutputClosed` is true (MediaIO's
/// `MediaError.outputClosed` is one; the run then stops cleanly);
/// any other error fails the run. `finish()` is called once at the end, also after a failure of another
/// part, and must leave a complete file.
public protocol FrameSink: AnyObject {
    /// The output as the user named it (`out.mp4`, `standard output`).
    var name: String { get }
    /// What the sink needs from each frame.
    var needs: SinkNeeds { get }
    func write(_ frame: ComposedFrame) throws
    func finish() throws
    /// One-line notes gathered while writing (odd sizes padded, audio skipped, …).
    var warnings: [String] { get }
}

/// The parts of a `ComposedFrame` a sink reads, so the compose stage renders only what is used.
public struct SinkNeeds: Sendable, Equatable, OptionSet {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let picture = SinkNeeds(rawValue: 1)
    public static let alpha = SinkNeeds(rawValue: 2)
    public static let masks = SinkNeeds(rawValue: 4)
    public static let statistics = SinkNeeds(rawValue: 8)
}
