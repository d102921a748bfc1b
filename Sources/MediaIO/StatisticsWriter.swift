/// Newline-delimited JSON, one line per frame (`--stats`), to a file or standard output (`-`).
///
/// MediaIO only carries the lines: the pipeline measures and formats them (MaskRender's
/// `FrameStatistics.jsonLine()`), so the figures and their spelling live in one place. Each line is
/// written at once, so `tail -f` and pipes see frames as they finish.
public final class StatsWriter: @unchecked Sendable {
    /// The output as named (`standard output` for `-`).
    public var name: String { sink.name }
    private let sink: ByteSink
    private var finished = false

    public init(path: String) throws {
        sink = try ByteSink(path: path)
    }

    /// Writes `json` (one JSON value, no newline inside) followed by a newline.
    public func write(line json: String) throws {
        guard !finished else { throw MediaError.writeFailed(sink.name, reason: "writer already finished") }
        guard !json.contains("\n") else { throw MediaError.invalidFrame(sink.name, reason: "a statistics line cannot contain a newline") }
        try sink.write(json + "\n")
    }

    /// Closes the output. Idempotent.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try sink.close()
    }
}
