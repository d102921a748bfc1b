import MediaIO
import Pipeline

/// The statistics output (`--stats FILE|-`): one NDJSON line per frame (`FrameStatistics.jsonLine()`).
public final class StatisticsFrameSink: FrameSink {
    public let writer: StatisticsWriter

    public init(writer: StatisticsWriter) {
        self.writer = writer
    }

    public var name: String { writer.name }
    public var needs: SinkNeeds { .statistics }
    public var warnings: [String] { [] }

    public func write(_ frame: ComposedFrame) throws {
        guard let line = frame.statistics else { return }
        try writer.write(line: line)
    }

    public func finish() throws { try writer.finish() }
}
