import MediaIO
import Pipeline

/// The output video (`-o FILE|-`): each composed picture encoded by a `VideoWriter` at the frame's own
/// timestamp, with the alpha plane when the writer keeps one (cutout into `.mov`, `.webm`, `.mkv`, PNGs).
final class VideoFrameSink: FrameSink {
    let writer: VideoWriter
    let keepsAlpha: Bool
    /// Frames encoded so far.
    private(set) var framesWritten = 0

    init(writer: VideoWriter, keepsAlpha: Bool) {
        self.writer = writer
        self.keepsAlpha = keepsAlpha
    }

    var name: String { writer.name }
    var needs: SinkNeeds { keepsAlpha ? [.picture, .alpha] : .picture }
    var warnings: [String] { writer.warnings }

    func write(_ frame: ComposedFrame) throws {
        guard var picture = frame.picture else {
            throw MediaError.invalidFrame(writer.name, reason: "no picture was rendered for frame \(frame.index)")
        }
        picture.timestamp = frame.timestamp
        try writer.write(picture, alpha: keepsAlpha ? frame.alpha : nil)
        framesWritten += 1
    }

    func finish() throws { try writer.finish() }
}
