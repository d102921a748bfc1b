import MediaIO
import Pipeline

/// A virtual camera (`-o v4l2:/dev/video10`, or a path that is a V4L2 output device): each composed
/// picture goes to the device as soon as it is rendered, through a `VirtualCameraWriter`. Live runs
/// compose every captured frame (with the newest masks) unless `--processed-only`, so the device gets
/// the source's frame rate whatever the model's speed.
final class VirtualCameraFrameSink: FrameSink {
    let writer: VirtualCameraWriter

    init(writer: VirtualCameraWriter) {
        self.writer = writer
    }

    var name: String { writer.name }
    var needs: SinkNeeds { .picture }
    var warnings: [String] { writer.warnings }

    func write(_ frame: ComposedFrame) throws {
        guard var picture = frame.picture else {
            throw MediaError.invalidFrame(writer.name, reason: "no picture was rendered for frame \(frame.index)")
        }
        picture.timestamp = frame.timestamp
        try writer.write(picture)
    }

    func finish() throws { try writer.finish() }
}
