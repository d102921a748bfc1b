import MediaIO
import Pipeline

/// The statistics output (`--stats FILE|-`): one NDJSON line per frame (`FrameStatistics.jsonLine()`).
final class StatisticsFrameSink: FrameSink {
    let writer: StatisticsWriter

    init(writer: StatisticsWriter) {
        self.writer = writer
    }

    var name: String { writer.name }
    var needs: SinkNeeds { .statistics }
    var warnings: [String] { [] }

    func write(_ frame: ComposedFrame) throws {
        guard let line = frame.statistics else { return }
        try writer.write(line: line)
    }

    func finish() throws { try writer.finish() }
}
