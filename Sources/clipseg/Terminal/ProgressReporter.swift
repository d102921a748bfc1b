import Pipeline

/// Decides when progress is shown on stderr and what exactly to write, for a file or a live run.
///
/// - stderr is a terminal: one line redrawn in place (`\r`, text, erase to end of line) at most every
///   `terminalInterval` seconds: a progress bar for files, a status line for live sources.
/// - otherwise: a plain line every `plainInterval` seconds (none before the first interval has passed).
/// - `finish` gives the summary line (clearing the redrawn line first on a terminal).
///
/// Pure: the caller passes the time and writes the returned text; `--quiet` means not calling it.
struct ProgressReporter: Sendable {
    /// What is being read.
    enum Source: Sendable, Equatable {
        case file(totalFrames: Int?)
        case live
    }

    let source: Source
    let isTerminal: Bool
    let terminalInterval: Double
    let plainInterval: Double
    private var lastShown: Double?
    private var startedAt: Double?
    private var drewLine = false

    /// Erases from the cursor to the end of the line (ANSI `EL`).
    static let eraseLine = "\u{1B}[K"

    init(source: Source, isTerminal: Bool, terminalInterval: Double = 0.25, plainInterval: Double = 5) {
        self.source = source
        self.isTerminal = isTerminal
        self.terminalInterval = terminalInterval
        self.plainInterval = plainInterval
    }

    /// The text to write to stderr now, or nil when it is too soon since the last one.
    mutating func update(_ snapshot: ProgressSnapshot, now: Double) -> String? {
        if startedAt == nil { startedAt = now }
        let interval = isTerminal ? terminalInterval : plainInterval
        let reference = lastShown ?? (isTerminal ? nil : startedAt)
        if let reference, now - reference < interval { return nil }
        lastShown = now
        let text: String
        switch source {
        case .file(let total):
            text = isTerminal ? ProgressText.fileBar(snapshot, totalFrames: total)
                              : ProgressText.fileLine(snapshot, totalFrames: total)
        case .live:
            text = ProgressText.liveStatus(snapshot)
        }
        if isTerminal {
            drewLine = true
            return "\r" + text + Self.eraseLine
        }
        return text + "\n"
    }

    /// The summary, ending with a newline, replacing the redrawn line on a terminal.
    mutating func finish(_ snapshot: ProgressSnapshot, interrupted: Bool = false) -> String {
        let summary = ProgressText.summary(snapshot, live: source == .live, interrupted: interrupted)
        defer { drewLine = false }
        return (drewLine ? "\r" + Self.eraseLine : "") + summary + "\n"
    }
}
