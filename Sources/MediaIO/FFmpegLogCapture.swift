import CFFmpeg
import Foundation
import Synchronization

/// Collects FFmpeg's own error lines (`[h264 @ 0x…] Invalid NAL unit size`) and routes each to the
/// reader or writer whose FFmpeg contexts logged it, so damage FFmpeg conceals silently (frame-threaded
/// decoders never return those errors) still reaches that reader's `warnings`.
///
/// Lines from contexts nobody registered (a decoder's worker-thread copies, the demuxer while opening)
/// go to every registered listener. Every line, captured or printed, has its credentials hidden
/// (`CredentialRedaction`: FFmpeg's messages may quote a URL). Process-wide; thread-safe (FFmpeg logs from
/// its worker threads).
final class FFmpegLogCapture: @unchecked Sendable {
    static let shared = FFmpegLogCapture()

    /// Most lines kept per listener between two drains.
    static let pendingLimit = 200

    private struct Listener {
        var contexts: Set<UInt>
        var lines: [String] = []
    }

    private let lock = NSLock()
    private var listeners: [Int: Listener] = [:]
    private var nextID = 0

    /// Starts routing lines logged by `contexts` (and unattributed lines) to a new listener; returns its id.
    func register(contexts: [UnsafeMutableRawPointer?]) -> Int {
        lock.lock(); defer { lock.unlock() }
        nextID += 1
        listeners[nextID] = Listener(contexts: Set(contexts.compactMap { $0.map { UInt(bitPattern: $0) } }))
        return nextID
    }

    /// Adds contexts to a listener (a muxer opened after its encoder).
    func add(contexts: [UnsafeMutableRawPointer?], to id: Int) {
        lock.lock(); defer { lock.unlock() }
        listeners[id]?.contexts.formUnion(contexts.compactMap { $0.map { UInt(bitPattern: $0) } })
    }

    func unregister(_ id: Int) {
        lock.lock(); defer { lock.unlock() }
        listeners[id] = nil
    }

    /// The lines gathered for `id` since the last drain, oldest first.
    func drain(_ id: Int) -> [String] {
        lock.lock(); defer { lock.unlock() }
        guard let lines = listeners[id]?.lines, !lines.isEmpty else { return [] }
        listeners[id]?.lines = []
        return lines
    }

    fileprivate func receive(context: UnsafeMutableRawPointer?, line: String) {
        let key = context.map { UInt(bitPattern: $0) } ?? 0
        lock.lock(); defer { lock.unlock() }
        let owners = listeners.filter { $0.value.contexts.contains(key) }.map(\.key)
        for id in owners.isEmpty ? Array(listeners.keys) : owners {
            if listeners[id]!.lines.count < FFmpegLogCapture.pendingLimit { listeners[id]!.lines.append(line) }
        }
    }

    /// Installs the capture with FFmpeg, printing lines at `printLevel` or more severe to stderr.
    static func install(printLevel: Int32) {
        FFmpegLogCapture.printLevel.store(printLevel, ordering: .relaxed)
        clipseg_install_log_capture({ context, level, line in
            guard let line else { return }
            let text = CredentialRedaction.redact(String(cString: line))
            if level <= FFmpegLogCapture.printLevel.load(ordering: .relaxed) {
                _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            }
            if level <= AV_LOG_ERROR {
                FFmpegLogCapture.shared.receive(context: context, line: FFmpegLogCapture.tidy(text, context: context))
            }
        }, printLevel, AV_LOG_ERROR)
    }

    private static let printLevel = Atomic<Int32>(AV_LOG_QUIET)

    /// "[h264 @ 0x55d…] Invalid NAL unit size.\n" → "h264: Invalid NAL unit size."
    static func tidy(_ line: String, context: UnsafeMutableRawPointer?) -> String {
        var text = Substring(line)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = text[text.index(after: close)...]
        }
        let message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let name = clipseg_log_context_name(context) else { return message }
        return "\(String(cString: name)): \(message)"
    }
}
