import MediaIO
import Pipeline

/// The mask stream (`--masks FILE|-`): every plane of each frame (one for `union` and `labels`, one per
/// prompt for `stack`) appended to a `MaskStreamWriter` (y4m, raw gray or a PNG folder).
final class MaskFrameSink: FrameSink {
    let writer: any MaskStreamWriter
    let name: String
    /// Planes written so far.
    private(set) var planesWritten = 0

    init(writer: any MaskStreamWriter, name: String) {
        self.writer = writer
        self.name = name
    }

    var needs: SinkNeeds { .masks }
    var warnings: [String] { [] }

    func write(_ frame: ComposedFrame) throws {
        for plane in frame.maskPlanes {
            try writer.write(plane)
            planesWritten += 1
        }
    }

    func finish() throws { try writer.finish() }
}
