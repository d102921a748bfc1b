import Foundation
import MaskRender
import MediaIO
import Pipeline

/// `--record-when TEXT --record-dir DIR`: a new clip (`DIR/clip-0001.mp4`, …) each time TEXT appears
/// (`PromptPresenceTracker`, the `--events` rule), starting `preRoll` seconds before the frame that confirmed it
/// and ending `postRoll` seconds after it disappeared (if it comes back meanwhile, the clip goes on). Clip numbers
/// go on after those already in the folder, so no clip is ever overwritten.
///
/// Memory stays bounded: the pre-roll is a ring of composed pictures, at most `preRoll × frame rate` of them
/// and never more than `maximumBufferedBytes`; nothing else is kept. Each clip's timestamps start at 0.
final class RecordingFrameSink: FrameSink {
    let prompt: String
    let folder: URL
    let preRoll: Double
    let postRoll: Double
    /// The pre-roll ring's limit (bytes of RGB pictures).
    static let maximumBufferedBytes = 512 << 20

    private var tracker: PromptPresenceTracker
    private let options: VideoWriterOptions
    private let width: Int, height: Int
    private var ring: [ComposedFrame] = []
    private var ringLimit: Int
    private var clip: (sink: VideoFrameSink, start: Double, endAfter: Double?)?
    private(set) var clipsWritten = 0
    private var notes: [String] = []

    init(prompt: String, folder: URL, preRoll: Double, postRoll: Double, rule: PresenceRule,
         width: Int, height: Int, options: VideoWriterOptions) throws {
        self.prompt = prompt
        self.folder = folder
        self.preRoll = preRoll
        self.postRoll = postRoll
        self.width = width
        self.height = height
        self.options = options
        tracker = PromptPresenceTracker(rule: rule)
        let wanted = Int((preRoll * options.frameRate).rounded(.up)) + 1
        ringLimit = max(1, min(wanted, Self.maximumBufferedBytes / max(1, width * height * 3)))
        if ringLimit < wanted {
            notes.append("--record-when: pre-roll cut to \(ringLimit) frames (\(Self.maximumBufferedBytes >> 20) MB of pictures)")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.runtime("--record-dir \(folder.path): cannot create the folder (\((error as NSError).localizedDescription))")
        }
        // Never overwrite: numbering goes on after the clips already in the folder.
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        clipsWritten = existing.compactMap { name -> Int? in
            guard name.hasPrefix("clip-"), name.hasSuffix(".mp4") else { return nil }
            return Int(name.dropFirst(5).dropLast(4))
        }.max() ?? 0
    }

    var name: String { folder.path }
    var needs: SinkNeeds { [.picture, .statistics] }
    var warnings: [String] { notes + (clip?.sink.warnings ?? []) }

    func write(_ frame: ComposedFrame) throws {
        let events = frame.measurements.map { statistics in
            tracker.update(FrameStatistics(frame: statistics.frame, time: statistics.time,
                                           prompts: statistics.prompts.filter { PromptSet.key($0.prompt) == PromptSet.key(prompt) }))
        } ?? []
        for event in events {
            switch event.kind {
            case .appeared:
                if clip == nil { try startClip(at: frame.timestamp) } else { clip?.endAfter = nil }
            case .disappeared:
                clip?.endAfter = frame.timestamp + postRoll
            }
        }
        if let current = clip {
            try write(frame, to: current.sink, start: current.start)
            if let end = current.endAfter, frame.timestamp >= end { try endClip() }
        } else {
            ring.append(frame)
            if ring.count > ringLimit { ring.removeFirst(ring.count - ringLimit) }
        }
    }

    func finish() throws { try endClip() }

    /// Opens the next clip with the buffered frames of the last `preRoll` seconds before `time`.
    private func startClip(at time: Double) throws {
        clipsWritten += 1
        let path = folder.appendingPathComponent(String(format: "clip-%04d.mp4", clipsWritten)).path
        let sink = VideoFrameSink(writer: try VideoWriter(path: path, width: width, height: height, options: options),
                                  keepsAlpha: false)
        let buffered = ring.filter { $0.timestamp >= time - preRoll }
        let start = buffered.first?.timestamp ?? time
        clip = (sink, start, nil)
        for frame in buffered { try write(frame, to: sink, start: start) }
        ring.removeAll(keepingCapacity: true)
    }

    private func write(_ frame: ComposedFrame, to sink: VideoFrameSink, start: Double) throws {
        var shifted = frame
        shifted.timestamp = frame.timestamp - start
        try sink.write(shifted)
    }

    private func endClip() throws {
        guard let current = clip else { return }
        clip = nil
        try current.sink.finish()
    }
}
