import Foundation
import ModelHub
import UserText

/// What `clipseg download` shows on standard error while it runs. On a terminal: one line per file redrawn in
/// place (`model.safetensors  [#####-------]  42%  253.1 MB/603.1 MB  12.3 MB/s  ETA 0:28`), at most ten times a
/// second, then a final line per file. Elsewhere (a log, a pipe): one line per file when it is done. Notes
/// (a resumed connection, a discarded partial) are lines of their own either way; `quiet` shows nothing.
///
/// Events arrive from the download's thread and from URLSession's; a lock orders them.
final class DownloadProgress: @unchecked Sendable {
    private let quiet: Bool
    private let onTerminal: Bool
    private let lock = NSLock()
    private var current: (path: String, total: Int64?, resumedAt: Int64, started: Date)?
    private var lastDraw = Date.distantPast
    private var barShown = false

    init(quiet: Bool, onTerminal: Bool) {
        self.quiet = quiet
        self.onTerminal = onTerminal
    }

    func show(_ event: ModelDownload.Event) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        switch event {
        case let .revision(commit, files):
            let total = files.compactMap(\.size).reduce(0, +)
            line("\(files.count) files at commit \(commit), \(ByteCount.text(total))")
        case let .fileStarted(path, size, resumedAt):
            current = (path, size, resumedAt, Date())
            if resumedAt > 0 { line("\(path): resuming after \(ByteCount.text(resumedAt))") }
        case let .progress(path, bytes, total):
            guard onTerminal, let current, current.path == path else { return }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || bytes == total else { return }
            lastDraw = now
            StandardError.writeRaw("\r\u{1B}[K" + Self.bar(path: path, bytes: bytes, total: total,
                                                           since: current.resumedAt, elapsed: now.timeIntervalSince(current.started)))
            barShown = true
        case let .verifying(path):
            if onTerminal { clearBar(); StandardError.writeRaw("\(path): checking the hash…") ; barShown = true }
        case let .fileFinished(path, size, fetched):
            let seconds = current.map { Date().timeIntervalSince($0.started) }
            line(fetched ? "\(path): \(ByteCount.text(size)) downloaded and verified"
                         + (seconds.map { " in \(ProgressText.clock($0))" } ?? "")
                         : "\(path): already there")
            current = nil
        case let .note(text):
            line(text)
        }
    }

    /// Called from the signal handler's queue: ends the bar and says the partial file is kept.
    func interrupted() {
        lock.lock(); defer { lock.unlock() }
        clearBar()
        StandardError.write("clipseg: interrupted; the partial download is kept, run the same command again to resume")
    }

    func failed() {
        lock.lock(); defer { lock.unlock() }
        clearBar()
    }

    func finished(model: HubModelID, folder: URL) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        line("\(model) is in \(folder.path)")
    }

    /// `name  [#####-------]  42%  253.1 MB/603.1 MB  12.3 MB/s  ETA 0:28` (no bar without a known total).
    static func bar(path: String, bytes: Int64, total: Int64?, since resumedAt: Int64, elapsed: Double, width: Int = 20) -> String {
        let rate = elapsed > 0 ? Double(bytes - resumedAt) / elapsed : 0
        let rateText = rate > 0 ? ByteCount.text(Int64(rate)) + "/s" : "-- B/s"
        guard let total, total > 0 else { return "\(path.escapingControlCharacters)  \(ByteCount.text(bytes))  \(rateText)" }
        let fraction = min(1, Double(bytes) / Double(total))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let eta = rate > 0 ? Double(total - bytes) / rate : nil
        return "\(path.escapingControlCharacters)  [" + String(repeating: "#", count: filled)
            + String(repeating: "-", count: width - filled) + "]  \(Int((fraction * 100).rounded(.down)))%  "
            + "\(ByteCount.text(bytes))/\(ByteCount.text(total))  \(rateText)  ETA \(ProgressText.clock(eta))"
    }

    private func line(_ text: String) {
        clearBar()
        StandardError.write(text)
    }

    private func clearBar() {
        if barShown { StandardError.writeRaw("\r\u{1B}[K"); barShown = false }
    }
}
