import MediaIO
import Pipeline

/// The mask stream (`--masks FILE|-`): every plane of each frame (one for `union` and `labels`, one per
/// prompt for `stack`) appended to a `MaskStreamWriter` (y4m, raw gray or a PNG folder).
public final class MaskFrameSink: FrameSink {
    public let writer: any MaskStreamWriter
    public let name: String
    /// Planes written so far.
    public private(set) var planesWritten = 0

    public init(writer: any MaskStreamWriter, name: String) {
        self.writer = writer
        self.name = name
    }

    public var needs: SinkNeeds { .masks }
    public var warnings: [String] { [] }

    public func write(_ frame: ComposedFrame) throws {
        for plane in frame.maskPlanes {
            try writer.write(plane)
            planesWritten += 1
        }
    }

    public func finish() throws { try writer.finish() }
}
