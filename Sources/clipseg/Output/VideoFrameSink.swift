import MediaIO
import Pipeline

/// The output video (`-o FILE|-`): each composed picture encoded by a `VideoWriter` at the frame's own
/// timestamp, with the alpha plane when the writer keeps one (cutout into `.mov`, `.webm`, `.mkv`, PNGs).
public final class VideoFrameSink: FrameSink {
    public let writer: VideoWriter
    public let keepsAlpha: Bool
    /// Frames encoded so far.
    public private(set) var framesWritten = 0

    public init(writer: VideoWriter, keepsAlpha: Bool) {
        self.writer = writer
        self.keepsAlpha = keepsAlpha
    }

    public var name: String { writer.name }
    public var needs: SinkNeeds { keepsAlpha ? [.picture, .alpha] : .picture }
    public var warnings: [String] { writer.warnings }

    public func write(_ frame: ComposedFrame) throws {
        guard var picture = frame.picture else {
            throw MediaError.invalidFrame(writer.name, reason: "no picture was rendered for frame \(frame.index)")
        }
        picture.timestamp = frame.timestamp
        try writer.write(picture, alpha: keepsAlpha ? frame.alpha : nil)
        framesWritten += 1
    }

    public func finish() throws { try writer.finish() }
}
