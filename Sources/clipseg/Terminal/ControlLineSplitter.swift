import Pipeline

/// Cuts a byte stream (standard input under `--control -`) into lines and parses each as a `ControlCommand`.
///
/// Lines end with `\n` (a `\r` before it is ignored). A line longer than `maxLineLength` bytes gives one
/// error and is skipped up to its end, so a runaway writer cannot make memory grow.
struct ControlLineSplitter: Sendable {
    /// The longest line accepted, in bytes (without its line ending).
    let maxLineLength: Int
    private var pending: [UInt8] = []
    private var overlong = false

    init(maxLineLength: Int = 4096) {
        self.maxLineLength = max(1, maxLineLength)
    }

    /// Feeds bytes as they were read; returns one result per line completed by them, in order.
    mutating func append(_ bytes: some Collection<UInt8>) -> [Result<ControlCommand, ControlCommandError>] {
        var results: [Result<ControlCommand, ControlCommandError>] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let result = endLine() { results.append(result) }
            } else if overlong {
                continue
            } else if pending.count == maxLineLength {
                overlong = true
                pending.removeAll(keepingCapacity: true)
                results.append(.failure(ControlCommandError("control line longer than \(maxLineLength) bytes, ignored")))
            } else {
                pending.append(byte)
            }
        }
        return results
    }

    /// The end of the input: a last line without `\n` is parsed (an empty remainder gives nothing).
    mutating func finish() -> [Result<ControlCommand, ControlCommandError>] {
        if pending.isEmpty { overlong = false; return [] }
        return endLine().map { [$0] } ?? []
    }

    private mutating func endLine() -> Result<ControlCommand, ControlCommandError>? {
        defer { pending.removeAll(keepingCapacity: true) }
        if overlong {
            overlong = false
            return nil
        }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        return ControlCommand.parse(pending)
    }
}
