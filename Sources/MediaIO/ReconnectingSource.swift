import Foundation
import Synchronization
import VideoFrames

/// A live network stream that is reopened when it ends, fails or stalls (`ReconnectPolicy`), so that the
/// run goes on: frames keep one steady time line across the gap (a reconnection's first frame comes after
/// the last one by the wall time that passed between them, so it is on time for a reader that measures
/// timestamps against the clock; indices go on counting), and the audio of the new connection joins the
/// same `AudioPacketFeed` at the same offset. Each loss and return is reported
/// through `onEvent` (on the reading thread). With `ReconnectPolicy.never`, or once the attempts are spent,
/// the source ends (`nextFrame()` returns nil, so that every frame already read still reaches the outputs)
/// and `lostStream` says what happened (`MediaError.streamLost`), for the caller to report as a failure.
///
/// `interrupt()` (any thread) ends a read, an opening or a back-off wait at once; `nextFrame()` then
/// returns nil. Otherwise used by one thread at a time, like `VideoFileSource`.
public final class ReconnectingSource: FrameSource, @unchecked Sendable {
    public let info: SourceInfo
    /// The first connection's audio; later connections feed it too.
    public let audio: AudioPacketFeed?

    private let policy: ReconnectPolicy
    private let reopen: (ReadInterruption) throws -> VideoFileSource
    private let onEvent: @Sendable (ConnectionEvent) -> Void
    private let sleeper = NSCondition()
    private let stopRequested = Atomic<Bool>(false)
    /// The interruption of the connection being read or opened, for `interrupt()` from another thread.
    private let activeInterruption: Mutex<ReadInterruption?>

    private var current: VideoFileSource?
    /// Seconds and frames added to the current connection's timestamps and indices (nil until its first frame).
    private var timeOffset: Double? = 0
    private var indexOffset = 0
    private var lastTimestamp: Double?
    private var lastIndex = -1
    private var lastFrameClock: Double = 0
    private var skippedBefore = 0
    private var pastWarnings = WarningLog()
    /// Set when the stream was lost for good: the run ended for this reason, not at the end of its input.
    public private(set) var lostStream: MediaError?

    /// Opens `path` (throws as `VideoFileSource` does when the first connection fails) and reopens it as
    /// `policy` allows, with the same `options`.
    public convenience init(path: String, maximumPixels: Int = PixelLimit.defaultMaximum,
                            options: InputOpenOptions = InputOpenOptions(), policy: ReconnectPolicy,
                            onEvent: @escaping @Sendable (ConnectionEvent) -> Void = { _ in }) throws {
        let location = InputLocation(path)
        let first = try VideoFileSource(location: location, maximumPixels: maximumPixels, options: options, audio: nil,
                                        interruption: ReadInterruption())
        let feed = first.audio
        self.init(first: first, policy: policy, onEvent: onEvent) { interruption in
            try VideoFileSource(location: location, maximumPixels: maximumPixels, options: options,
                                audio: feed, interruption: interruption)
        }
    }

    init(first: VideoFileSource, policy: ReconnectPolicy, onEvent: @escaping @Sendable (ConnectionEvent) -> Void,
         reopen: @escaping (ReadInterruption) throws -> VideoFileSource) {
        info = first.info
        audio = first.audio
        current = first
        activeInterruption = Mutex(first.readInterruption)
        self.policy = policy
        self.onEvent = onEvent
        self.reopen = reopen
    }

    deinit { current?.close() }

    public var warnings: [String] { pastWarnings.messages + (current?.warnings ?? []) }

    public var framesSkipped: Int { skippedBefore + (current?.framesSkipped ?? 0) }

    public func nextFrame() throws -> RGBFrame? {
        while let source = current {
            var failure: Error?
            var frame: RGBFrame?
            do { frame = try source.nextFrame() } catch { failure = error }
            if var frame {
                place(&frame)
                return frame
            }
            if stopRequested.load(ordering: .relaxed) { return nil }
            // A file served over the network (a known duration) ends where it ends.
            if !info.isLive, failure == nil, source.ending == .endOfInput { return nil }
            let reason = failure.map(describe) ?? source.ending?.reason ?? "the stream ended"
            retire(source)
            onEvent(.disconnected(time: lastTimestamp ?? 0, reason: reason))
            guard policy.attempts != 0 else {
                lostStream = MediaError.streamLost(info.name, reason: reason)
                return nil
            }
            guard reconnect(after: reason) else { return nil }
        }
        return nil
    }

    public func skip(until timestamp: Double) -> Bool {
        guard let current, let timeOffset else { return false }
        return current.skip(until: timestamp - timeOffset)
    }

    /// Ends a read, an opening or a wait between attempts at once, from any thread.
    public func interrupt() {
        stopRequested.store(true, ordering: .relaxed)
        activeInterruption.withLock { $0?.raise() }
        sleeper.lock()
        sleeper.broadcast()
        sleeper.unlock()
    }

    public func close() {
        if let current { retire(current) }
    }

    /// Puts a frame of the current connection on the run's time line.
    private func place(_ frame: inout RGBFrame) {
        let offset: Double
        if let timeOffset {
            offset = timeOffset
        } else {
            // The first frame after a reconnection: it continues the time line where the wall clock says.
            let period = info.frameRate.map { 1 / $0 } ?? 1.0 / 30
            let last = lastTimestamp ?? -period
            let start = max(last + ReconnectingSource.now() - lastFrameClock, last + period)
            offset = start - frame.timestamp
            timeOffset = offset
            audio?.timeOffset = offset
            indexOffset = lastIndex + 1 - frame.index
        }
        frame.timestamp += offset
        frame.index += indexOffset
        lastTimestamp = frame.timestamp
        lastIndex = frame.index
        lastFrameClock = ReconnectingSource.now()
    }

    /// Closes a lost connection, keeping its warnings (but not "input ends early", which the loss says).
    private func retire(_ source: VideoFileSource) {
        skippedBefore += source.framesSkipped
        for warning in source.warnings where !warning.hasPrefix("\(info.name): input ends early") {
            pastWarnings.append(warning)
        }
        source.close()
        current = nil
    }

    /// Reopens the stream with back-off; true once it is back, false when interrupted or when the attempts
    /// are spent (then `lostStream` is set).
    private func reconnect(after reason: String) -> Bool {
        let lostAt = ReconnectingSource.now()
        var lastReason = reason
        var attempt = 1
        while policy.allows(attempt: attempt) {
            if !wait(seconds: policy.delay(beforeAttempt: attempt)) { return false }
            let interruption = ReadInterruption()
            activeInterruption.withLock { $0 = interruption }
            if stopRequested.load(ordering: .relaxed) { return false }
            // The new connection's audio waits until its first video frame has its place on the time line.
            audio?.timeOffset = nil
            if lastTimestamp == nil { lastFrameClock = lostAt }
            do {
                let source = try reopen(interruption)
                current = source
                timeOffset = nil
                let gap = ReconnectingSource.now() - lostAt
                onEvent(.reconnected(time: (lastTimestamp ?? 0) + ReconnectingSource.now() - lastFrameClock, gap: gap,
                                     attempts: attempt))
                return true
            } catch {
                if stopRequested.load(ordering: .relaxed) { return false }
                lastReason = describe(error)
            }
            attempt += 1
        }
        onEvent(.gaveUp(attempts: attempt - 1, reason: lastReason))
        lostStream = MediaError.streamLost(info.name, reason: "\(reason); not back after \(attempt - 1) attempt\(attempt == 2 ? "" : "s"): \(lastReason)")
        return false
    }

    /// Sleeps `seconds` unless interrupted first; false when interrupted.
    private func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        sleeper.lock()
        defer { sleeper.unlock() }
        while !stopRequested.load(ordering: .relaxed) {
            if !sleeper.wait(until: deadline) { break }
        }
        return !stopRequested.load(ordering: .relaxed)
    }

    /// An error's words without the input's name in front (the loss message names it once).
    private func describe(_ error: Error) -> String {
        let text = String(describing: error)
        let prefix = "\(info.name): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
