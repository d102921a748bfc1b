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

    /// Events go in time order: those before the frame's time ahead of its line, those at it after.
    func write(_ frame: ComposedFrame) throws {
        for event in events?.drain(before: frame.timestamp) ?? [] { try writer.write(line: event) }
        if let line = frame.statistics { try writer.write(line: line) }
        for event in events?.drain(before: frame.timestamp.nextUp) ?? [] { try writer.write(line: event) }
    }

    func finish() throws {
        for event in events?.drain(before: .infinity) ?? [] { try writer.write(line: event) }
        try writer.finish()
    }
}
