import MediaIO
import Pipeline

/// The statistics output (`--stats FILE|-`): one NDJSON line per frame (`FrameStatistics.jsonLine()`), and
/// a network input's connection events (`{"event":"disconnected",…}`) where they happened between frames.
final class StatisticsFrameSink: FrameSink {
    let writer: StatisticsWriter
    private let events: ConnectionEventLines?

    init(writer: StatisticsWriter, events: ConnectionEventLines? = nil) {
        self.writer = writer
        self.events = events
    }

    var name: String { writer.name }
    var needs: SinkNeeds { .statistics }
    var warnings: [String] { [] }

    func write(_ frame: ComposedFrame) throws {
        for event in events?.drain() ?? [] { try writer.write(line: event) }
        guard let line = frame.statistics else { return }
        try writer.write(line: line)
    }

    func finish() throws {
        for event in events?.drain() ?? [] { try writer.write(line: event) }
        try writer.finish()
    }
}
