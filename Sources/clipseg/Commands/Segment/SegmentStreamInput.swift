import Foundation
import MediaIO
import UserText
import VideoFrames

/// Opens a `segment` input that is not a camera: a file, standard input, or a network stream. Network
/// streams (`scheme://…`) are opened through `ReconnectingSource` with the `NetworkInputOptions`: a loss is
/// recorded for the statistics output and, when `--reconnect` allows, printed at once (`--quiet` aside) and
/// reopened; otherwise the run ends there, every frame read written, and fails (`lostStreamFailure`).
enum SegmentStreamInput {
    /// The opened input: the source, how to stop its reads from another thread, its audio, and the
    /// connection events for `--stats` (network inputs).
    struct Opened {
        var source: any FrameSource
        var interrupt: @Sendable () -> Void
        var audio: AudioPacketFeed?
        var events: ConnectionEventLines?
    }

    /// Unknown `--input-option` keys are a usage error (64) naming the valid ones.
    static func open(_ request: SegmentRequest) throws -> Opened {
        do {
            return try openInput(request)
        } catch let error as MediaError {
            if case .unknownInputOptions = error { throw CommandFailure.usage("--input-option: \(error)") }
            throw error
        }
    }

    private static func openInput(_ request: SegmentRequest) throws -> Opened {
        let options = request.network.openOptions
        guard request.input.contains("://") else {
            let file = try VideoFileSource(path: request.input, maximumPixels: request.maxPixels, options: options)
            return Opened(source: file, interrupt: { file.interrupt() }, audio: file.audio, events: nil)
        }
        let events = ConnectionEventLines()
        let quiet = request.quiet
        let name = CredentialRedaction.redact(request.input)
        let reconnecting = request.network.reconnect != nil
        let stream = try ReconnectingSource(path: request.input, maximumPixels: request.maxPixels, options: options,
                                            policy: request.network.reconnectPolicy) { event in
            events.append(event)
            // Without --reconnect the loss ends the run, and its error line says so.
            guard !quiet, reconnecting else { return }
            switch event {
            case .disconnected(_, let reason):
                StandardError.write("clipseg: \(name): stream lost (\(reason)); reconnecting")
            case .reconnected(_, let gap, let attempts):
                StandardError.write("clipseg: \(name): reconnected after \(String(format: "%.1f", gap)) s "
                                    + "(\(attempts) attempt\(attempts == 1 ? "" : "s"))")
            case .gaveUp: break
            }
        }
        return Opened(source: stream, interrupt: { stream.interrupt() }, audio: stream.audio, events: events)
    }

    /// The failure of a run whose stream was lost for good (exit 1): one line that says what happened and,
    /// without `--reconnect`, the option that would have kept the run going.
    static func lostStreamFailure(_ source: any FrameSource, reconnecting: Bool) -> CommandFailure? {
        guard let lost = (source as? ReconnectingSource)?.lostStream else { return nil }
        return .runtime(reconnecting ? "\(lost)" : "\(lost); outputs were closed. Add --reconnect to reopen a lost stream")
    }
}

/// Connection events of a network input, waiting for the statistics output (`StatisticsFrameSink`) to
/// write them as NDJSON lines among the frames, by time. Thread-safe: appended on the reading thread.
final class ConnectionEventLines: @unchecked Sendable {
    private let lock = NSLock()
    /// Time on the run's time line (seconds; +∞ for `gaveUp`, which comes last) and the line.
    private var lines: [(time: Double, line: String)] = []

    func append(_ event: ConnectionEvent) {
        let time: Double
        switch event {
        case .disconnected(let at, _), .reconnected(let at, _, _): time = at
        case .gaveUp: time = .infinity
        }
        let line = ConnectionEventLines.jsonLine(event)
        lock.withLock { lines.append((time, line)) }
    }

    /// The waiting lines of events before `time`, oldest first (`.infinity`: all of them).
    func drain(before time: Double) -> [String] {
        lock.withLock {
            let count = lines.firstIndex { !($0.time < time) && !(time == .infinity) } ?? lines.count
            defer { lines.removeFirst(count) }
            return lines.prefix(count).map(\.line)
        }
    }

    /// `{"event":"disconnected","time":12.4,"reason":"no data for 2 s"}`,
    /// `{"event":"reconnected","time":14.1,"gap_ms":1520,"attempts":2}`, `{"event":"gave_up","attempts":3,"reason":"…"}`.
    static func jsonLine(_ event: ConnectionEvent) -> String {
        func time(_ seconds: Double) -> String { String(format: "%.6f", seconds) }
        switch event {
        case .disconnected(let at, let reason):
            return "{\"event\":\"disconnected\",\"time\":\(time(at)),\"reason\":\(CredentialRedaction.redact(reason).jsonStringLiteral)}"
        case .reconnected(let at, let gap, let attempts):
            return "{\"event\":\"reconnected\",\"time\":\(time(at)),\"gap_ms\":\(Int((gap * 1000).rounded())),\"attempts\":\(attempts)}"
        case .gaveUp(let attempts, let reason):
            return "{\"event\":\"gave_up\",\"attempts\":\(attempts),\"reason\":\(CredentialRedaction.redact(reason).jsonStringLiteral)}"
        }
    }
}
