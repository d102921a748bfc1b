/// Newline-delimited JSON, one line per frame (`--stats`) or per event (`--events`), to a file or standard output (`-`).
///
/// MediaIO only carries the lines: the pipeline measures and formats them (MaskRender's
/// `FrameStatistics.jsonLine()`), so the figures and their spelling live in one place. Each line is
/// written at once, so `tail -f` and pipes see frames as they finish.
public final class StatisticsWriter: @unchecked Sendable {
    /// The output as named (`standard output` for `-`).
    public var name: String { output.name }
    private let output: FileDescriptorWriter
    private var finished = false

    public init(path: String) throws {
        output = try FileDescriptorWriter(path: path)
    }

    /// Writes `json` (one JSON value, no newline inside) followed by a newline.
    public func write(line json: String) throws {
        guard !finished else { throw MediaError.writeFailed(output.name, reason: "writer already finished") }
        guard !json.contains("\n") else { throw MediaError.invalidFrame(output.name, reason: "a statistics line cannot contain a newline") }
        try output.write(json + "\n")
    }

    /// Closes the output. Idempotent.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output.close()
    }
}
