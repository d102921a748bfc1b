import MediaIO
import Pipeline

/// The events output (`--events FILE|-`): one NDJSON line per prompt that appears or disappears
/// (`PromptPresenceTracker` over each frame's statistics), written as it happens.
final class EventsFrameSink: FrameSink {
    private let writer: StatisticsWriter
    private var tracker: PromptPresenceTracker

    init(writer: StatisticsWriter, rule: PresenceRule) {
        self.writer = writer
        tracker = PromptPresenceTracker(rule: rule)
    }

    var name: String { writer.name }
    var needs: SinkNeeds { .statistics }
    var warnings: [String] { [] }

    func write(_ frame: ComposedFrame) throws {
        guard let measurements = frame.measurements else { return }
        for event in tracker.update(measurements) { try writer.write(line: event.jsonLine()) }
    }

    func finish() throws { try writer.finish() }
}
