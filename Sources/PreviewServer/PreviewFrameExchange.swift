import Foundation
import StreamKit
import VideoFrames

/// Where composed pictures meet the preview's viewers: latest-wins at every step, so no viewer and no encode
/// ever holds up the pipeline.
///
/// - `offer(_:)` (the preview sink, on its sink thread) keeps only the newest picture, and only while someone
///   watches; it never waits beyond a short lock and never encodes.
/// - One encoder thread (`clipseg-preview-jpeg`) turns the newest picture into a JPEG, once per picture for
///   all viewers, and nothing at all while nobody watches.
/// - Each viewer's connection thread takes the newest JPEG after the one it sent last (`next(after:)`),
///   so a slow viewer skips pictures instead of queueing them.
///
/// The JPEG bytes are shared, immutable, by all viewers; a picture offered is held (not copied) until encoded.
public final class PreviewFrameExchange: @unchecked Sendable {
    /// Encodes one picture as a JPEG file; called on the encoder thread only, one call at a time.
    public typealias Encode = (RGBFrame) throws -> [UInt8]

    /// The most viewers of the video at once; more are refused (503).
    public let maximumViewers: Int
    private let condition = NSCondition()
    private let clock = SystemClock()
    private var pending: (picture: RGBFrame, offeredAt: Double)?
    private var latest: (sequence: Int, jpeg: [UInt8], offeredAt: Double)?
    private var viewers = 0
    private var closed = false
    private var failure: String?
    private var encodedCount = 0
    /// Offer → sent delays (seconds) of the last pictures sent, for the status.
    private var delays = RecentSamples()
    /// Encode times (seconds) of the last pictures.
    private var encodeTimes = RecentSamples()

    /// Starts the encoder thread, named `name`; `encode` runs only on it.
    public init(maximumViewers: Int, name: String = "clipseg-preview-jpeg", encode: @escaping Encode) {
        self.maximumViewers = maximumViewers
        let box = EncodeBox(encode)
        DedicatedThread.start(name: name) { [self] in encodeLoop(box.encode) }
    }

    /// True while someone watches: a picture that takes work to make is worth making only then.
    public var isWatched: Bool {
        condition.lock()
        defer { condition.unlock() }
        return viewers > 0 && !closed
    }

    /// Hands over the newest composed picture (replacing one not yet encoded). Free when nobody watches.
    public func offer(_ picture: RGBFrame) {
        let now = clock.now()
        condition.lock()
        if viewers > 0 && !closed {
            pending = (picture, now)
            condition.broadcast()  // viewers wait on the same condition: signal() might wake one of them instead
        }
        condition.unlock()
    }

    /// Ends the video: the encoder thread and every viewer's stream stop.
    public func close() {
        condition.lock()
        closed = true
        pending = nil
        condition.broadcast()
        condition.unlock()
    }

    /// Figures for the status page.
    public struct Figures: Sendable, Encodable, Equatable {
        /// Viewers of the video now.
        public var viewers: Int
        /// Pictures encoded so far (one per picture for all viewers).
        public var framesEncoded: Int
        /// Median time from the picture's hand-over to its last byte sent, milliseconds.
        public var delayP50Ms: Double?
        /// Median time one JPEG took to encode, milliseconds.
        public var encodeP50Ms: Double?
        /// Why the video stopped, when the encoder failed.
        public var failure: String?
    }

    public var figures: Figures {
        condition.lock()
        defer { condition.unlock() }
        return Figures(viewers: viewers, framesEncoded: encodedCount, delayP50Ms: delays.medianMilliseconds,
                       encodeP50Ms: encodeTimes.medianMilliseconds, failure: failure)
    }

    // MARK: Viewers (connection threads)

    /// Counts a new viewer; false when `maximumViewers` already watch or the video has ended.
    func addViewer() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard viewers < maximumViewers, !closed else { return false }
        viewers += 1
        return true
    }

    func removeViewer() {
        condition.lock()
        viewers -= 1
        if viewers == 0 { pending = nil }
        condition.unlock()
    }

    /// Waits for a JPEG newer than `sequence` (0 for the first); nil once the video has ended.
    func next(after sequence: Int) -> (sequence: Int, jpeg: [UInt8], offeredAt: Double)? {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            if let latest, latest.sequence > sequence { return latest }
            condition.wait()
        }
        return nil
    }

    /// Notes that a picture handed over at `offeredAt` has been sent whole to a viewer.
    func sent(offeredAt: Double) {
        let delay = clock.now() - offeredAt
        condition.lock()
        delays.add(delay)
        condition.unlock()
    }

    // MARK: Encoder thread

    private func encodeLoop(_ encode: Encode) {
        var sequence = 0
        while true {
            condition.lock()
            while !closed && pending == nil { condition.wait() }
            guard !closed, let work = pending else { condition.unlock(); return }
            pending = nil
            condition.unlock()
            let jpeg: [UInt8]
            let started = clock.now()
            do {
                jpeg = try encode(work.picture)
            } catch {
                condition.lock()
                failure = String(describing: error)
                closed = true
                condition.broadcast()
                condition.unlock()
                return
            }
            sequence += 1
            condition.lock()
            latest = (sequence, jpeg, work.offeredAt)
            encodedCount += 1
            encodeTimes.add(clock.now() - started)
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// The last 64 durations (seconds) of something, for a median.
private struct RecentSamples {
    private var values: [Double] = []
    private var cursor = 0

    mutating func add(_ value: Double) {
        if values.count < 64 { values.append(value) } else { values[cursor] = value }
        cursor = (cursor + 1) % 64
    }

    /// The median in milliseconds, one decimal; nil before the first sample.
    var medianMilliseconds: Double? {
        guard !values.isEmpty else { return nil }
        return (values.sorted()[values.count / 2] * 10_000).rounded() / 10
    }
}

/// Carries the encode closure (used by the encoder thread alone) into that thread.
private final class EncodeBox: @unchecked Sendable {
    let encode: PreviewFrameExchange.Encode
    init(_ encode: @escaping PreviewFrameExchange.Encode) { self.encode = encode }
}
