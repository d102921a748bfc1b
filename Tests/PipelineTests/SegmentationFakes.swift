import Foundation
import Pipeline
import VideoFrames
import XCTest

/// Fakes for driving `SegmentationPipeline` without a model or media files: a source of numbered tiny
/// frames, a backend that records every call and can hold the vision encoder at chosen frames, and a
/// sink that keeps what it is given.

/// `count` frames of 4×2 pixels, index `i` at time `i / 10` s.
final class NumberedSource: FrameSource, @unchecked Sendable {
    let count: Int
    let live: Bool
    private var next = 0
    private(set) var closed = false

    init(count: Int, live: Bool = false) {
        self.count = count
        self.live = live
    }

    var info: SourceInfo { SourceInfo(name: "numbered", width: 4, height: 2, frameRate: 10, isLive: live) }
    var warnings: [String] { [] }

    func nextFrame() throws -> RGBFrame? {
        guard !closed, next < count else { return nil }
        defer { next += 1 }
        return RGBFrame(width: 4, height: 2, pixels: [UInt8](repeating: UInt8(next % 256), count: 24),
                        timestamp: Double(next) / 10, index: next)
    }

    func close() { closed = true }
}

/// Thread-safe record of what the fake backend was asked to do.
final class CallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _encoded: [Int] = []
    private var _decoded: [(frame: Int, prompts: Int)] = []
    private var _embedded: [String] = []

    func encoded(_ frame: Int) { lock.withLock { _encoded.append(frame) } }
    func decoded(_ frame: Int, prompts: Int) { lock.withLock { _decoded.append((frame, prompts)) } }
    func embedded(_ texts: [String]) { lock.withLock { _embedded += texts } }

    var encodedFrames: [Int] { lock.withLock { _encoded } }
    var decodedFrames: [(frame: Int, prompts: Int)] { lock.withLock { _decoded } }
    var embeddedTexts: [String] { lock.withLock { _embedded } }
}

/// Counts model calls running at the same moment (encode, decode), keeping the largest number seen.
final class ActiveCalls: @unchecked Sendable {
    private let lock = NSLock()
    private var active = 0
    private var _maximum = 0

    func during<T>(_ body: () throws -> T) rethrows -> T {
        lock.withLock {
            active += 1
            _maximum = max(_maximum, active)
        }
        defer { lock.withLock { active -= 1 } }
        return try body()
    }

    var maximum: Int { lock.withLock { _maximum } }
}

/// Holds the vision encoder at chosen frames until the test opens them.
final class EncoderGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var held: Set<Int>
    private var waiting: Set<Int> = []

    init(holding frames: Set<Int> = []) { held = frames }

    /// Called by the fake encoder: blocks while `frame` is held.
    func pass(_ frame: Int) {
        condition.lock()
        waiting.insert(frame)
        condition.broadcast()
        while held.contains(frame) { condition.wait() }
        waiting.remove(frame)
        condition.unlock()
    }

    func open(_ frame: Int) {
        condition.lock()
        held.remove(frame)
        condition.broadcast()
        condition.unlock()
    }

    /// True while the encoder waits at `frame`.
    func isWaiting(at frame: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return waiting.contains(frame)
    }
}

/// A backend whose input and features are the frame index. Text prompt `t` embeds as
/// `[Float(t.utf8.count), 1]`; the logits of prompt `p` on frame `f` are a 2×2 plane of
/// `+length(p)` on even frames and `−length(p)` on odd ones (masks all 255 / all 0).
struct FakeBackend: SegmentationBackend {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String { "fake encoder failure" }
    }

    let log: CallLog
    var gate = EncoderGate()
    /// The encoder throws `Failure` at this frame.
    var failAt: Int?
    /// Masks full on odd frames and empty on even ones instead.
    var fullOnOddFrames = false
    /// When set, encode and decode each run `busyIterations` of arithmetic inside `active.during`.
    var active: ActiveCalls?
    var busyIterations = 0

    private func work<T>(_ body: () throws -> T) rethrows -> T {
        guard let active else { return try body() }
        return try active.during {
            var x = 0.0
            for i in 0..<busyIterations { x += Double(i).squareRoot() }
            precondition(x >= 0)
            return try body()
        }
    }

    var embeddingSize: Int { 2 }
    func makeScratch(for step: ModelStep) {}

    func prepare(_ frame: RGBFrame, recycling recycled: consuming Int?) throws -> Int { frame.index }

    func encode(_ input: Int, scratch: Void) throws -> Int {
        gate.pass(input)
        if input == failAt { throw Failure() }
        log.encoded(input)
        return work { input }
    }

    func embed(texts: [String], scratch: Void) throws -> TextEmbeddings {
        log.embedded(texts)
        return TextEmbeddings(rows: texts.map { [Float($0.utf8.count), 1] })
    }

    func embed(image: RGBFrame, scratch: Void) throws -> [Float] { [Float(image.width), 1] }

    func decodeMasks(_ features: Int, conditionals: ConditionalEmbeddings, scratch: Void) throws -> PromptLogits {
        log.decoded(features, prompts: conditionals.count)
        _ = work { 0 }
        let sign: Float = (features % 2 == 0) != fullOnOddFrames ? 1 : -1
        var values: [Float] = []
        for p in 0..<conditionals.count { values += [Float](repeating: sign * conditionals.rows[p * 2], count: 4) }
        return PromptLogits(values: values, count: conditionals.count, width: 2, height: 2)
    }
}

/// What a writer throws, as a real one would (MediaIO's `MediaError` is one such type): the reader went away,
/// or writing failed.
enum FakeWriteError: OutputClosedError, Equatable, CustomStringConvertible {
    case outputClosed(String)
    case writeFailed(String, reason: String)

    var isOutputClosed: Bool {
        if case .outputClosed = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .outputClosed(let name): return "\(name): closed by the reader"
        case .writeFailed(let name, let reason): return "\(name): write failed (\(reason))"
        }
    }
}

/// Keeps every frame it is given; can throw `FakeWriteError.outputClosed` after `closeAfter` frames, or
/// `FakeWriteError.writeFailed` after `failAfter` frames.
/// `@unchecked Sendable` so tests may keep it after handing it over: they only read `record` (locked).
final class RecordingSink: FrameSink, @unchecked Sendable {
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private var _frames: [ComposedFrame] = []
        private var _finished = 0
        func add(_ frame: ComposedFrame) { lock.withLock { _frames.append(frame) } }
        func finish() { lock.withLock { _finished += 1 } }
        var frames: [ComposedFrame] { lock.withLock { _frames } }
        var finishCount: Int { lock.withLock { _finished } }
    }

    let name: String
    let needs: SinkNeeds
    let record = Record()
    var closeAfter: Int?
    var failAfter: Int?
    var warnings: [String] { [] }

    init(name: String = "recording", needs: SinkNeeds = [.picture, .masks, .statistics], closeAfter: Int? = nil,
         failAfter: Int? = nil) {
        self.name = name
        self.needs = needs
        self.closeAfter = closeAfter
        self.failAfter = failAfter
    }

    func write(_ frame: ComposedFrame) throws {
        if let closeAfter, record.frames.count >= closeAfter { throw FakeWriteError.outputClosed(name) }
        if let failAfter, record.frames.count >= failAfter { throw FakeWriteError.writeFailed(name, reason: "disk full") }
        record.add(frame)
    }

    func finish() throws { record.finish() }
}

/// The `mask_frame` of a statistics line, or nil.
func maskFrame(of line: String?) -> Int? {
    guard let line, let data = line.data(using: .utf8),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
    return object["mask_frame"] as? Int
}

/// The prompt names of a statistics line.
func promptNames(of line: String?) -> [String] {
    guard let line, let data = line.data(using: .utf8),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let prompts = object["prompts"] as? [[String: Any]] else { return [] }
    return prompts.compactMap { $0["prompt"] as? String }
}
