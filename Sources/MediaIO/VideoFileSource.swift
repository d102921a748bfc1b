import CFFmpeg
import Foundation
import VideoFrames

/// Frames of a video file, standard input (`-`) or network stream, decoded by FFmpeg
/// (libavformat + frame-threaded libavcodec) and converted to RGB24 by libswscale.
///
/// Every frame is a Swift-owned `RGBFrame` turned upright by the stream's display rotation, with
/// its presentation time in seconds from the start of the input (variable frame rates kept) and
/// its index. Size changes mid-stream are followed. Corrupt packets are skipped and a truncated
/// input ends after its last decodable frame; both are reported in `warnings`. Opening throws a
/// `MediaError` naming the input (`input.mp4: no such file`, `x.mkv: no decoder for codec …`).
///
/// Blocking: drive it from a dedicated thread. Not thread-safe; one thread at a time (it is
/// `@unchecked Sendable` only so that it can be handed to that thread). FFmpeg objects are freed
/// by `close()` or deinit.
public final class VideoFileSource: FrameSource, @unchecked Sendable {
    public let info: SourceInfo
    /// The rotation applied to every decoded picture.
    public let rotation: DisplayRotation
    /// The video decoder's name (`h264`, `vp9`, `ffv1`, …).
    public let codecName: String
    /// The input's audio packets, as they are demuxed alongside the video (hand it to `VideoWriterOptions.audio`
    /// to copy the sound); nil when the input has no audio.
    public let audio: AudioPacketFeed?

    private var decoder: VideoStreamDecoder?
    /// Kept apart from `decoder` so `interrupt()` never touches state the reading thread owns.
    private let interruption: ReadInterruption
    private let converter: RGBConverter
    private var nextIndex = 0
    /// While catching up (`skip(until:)`): frames before this time are passed over.
    private var skipTarget: Double?
    /// The first frame's time: frame numbers after a skip are counted from it.
    private var firstTimestamp: Double?
    private var numberByTime = false
    public private(set) var framesSkipped = 0
    private var lastTimestamp: Double?
    private var closedWarnings: [String] = []

    /// Opens `path`: a file path, `-` for standard input, or a URL (`rtsp://…`, `http://…`, `udp://…`).
    /// Pictures larger than `maximumPixels` are refused when it opens (`MediaError.tooManyPixels`, nothing
    /// decoded yet) and, should the size change later, skipped by the decoder (with a warning). `options`:
    /// AVOptions for the demuxer and protocol, the stall timeout of network reads. `audio`: the feed the
    /// input's audio packets go to (a reconnection keeps the first connection's); nil makes a new one when
    /// the input has sound. Every name in messages and `info` has its credentials hidden (`CredentialRedaction`).
    public convenience init(path: String, maximumPixels: Int = PixelLimit.defaultMaximum,
                            options: InputOpenOptions = InputOpenOptions(), audio: AudioPacketFeed? = nil) throws {
        try self.init(location: InputLocation(path), maximumPixels: maximumPixels, options: options, audio: audio,
                      interruption: ReadInterruption())
    }

    /// Opens `location`; `interruption` ends its opening and reads (`interrupt()` raises it).
    init(location: InputLocation, maximumPixels: Int, options: InputOpenOptions, audio: AudioPacketFeed?,
         interruption: ReadInterruption) throws {
        let feed = audio ?? AudioPacketFeed()
        let decoder = try VideoStreamDecoder(location: location, maximumPixels: maximumPixels, openOptions: options,
                                             audioFeed: feed, interruption: interruption)
        // FFmpeg opens some damaged inputs (a JPEG cut after its first marker) as a stream whose
        // picture size it never learned; nothing in it decodes, and `info` could not size outputs.
        guard decoder.codedWidth > 0, decoder.codedHeight > 0 else {
            throw MediaError.decodeFailed(location.name, reason: "the video stream has no picture size")
        }
        self.decoder = decoder
        self.audio = audio ?? (feed.streams.isEmpty ? nil : feed)
        self.interruption = decoder.interruption
        converter = RGBConverter(name: location.name)
        rotation = decoder.rotation
        codecName = decoder.codecName
        let size = decoder.rotation.rotatedSize(width: decoder.codedWidth, height: decoder.codedHeight)
        info = SourceInfo(name: location.name, width: size.width, height: size.height, frameRate: decoder.frameRate,
                          duration: decoder.duration, frameCount: decoder.frameCount,
                          isLive: location.isLive(durationKnown: decoder.duration != nil), hasAudio: decoder.hasAudio)
    }

    /// Opens a file or network URL (`URL(fileURLWithPath:)` paths are shown as given).
    public convenience init(url: URL) throws {
        try self.init(path: StillImage.displayName(of: url))
    }

    deinit { decoder?.close() }

    public var warnings: [String] { decoder?.warnings.messages ?? closedWarnings }

    /// Why reading stopped (nil while it goes on, and after `close()`).
    var ending: StreamEnding? { decoder?.ending }

    /// What ends this source's reads (see `interrupt()`).
    var readInterruption: ReadInterruption { interruption }

    public func nextFrame() throws -> RGBFrame? {
        while true {
            guard let decoder, let frame = try decoder.nextFrame() else { return nil }
            let time = timestamp(for: frame, decoder: decoder)
            if firstTimestamp == nil { firstTimestamp = time }
            if let target = skipTarget {
                if time < target {
                    framesSkipped += 1
                    nextIndex += 1
                    continue
                }
                skipTarget = nil
                decoder.discardNonReferenceFrames(false)
                numberByTime = true
            }
            // Frames the decoder left out (also those its threads had in flight when skipping ended) were
            // never seen: from the first skip on, frames are numbered by time at the nominal rate, so
            // indices stay the source's frame numbers.
            if numberByTime, let rate = info.frameRate, let firstTimestamp {
                nextIndex = max(nextIndex, Int(((time - firstTimestamp) * rate).rounded()))
            }
            var picture = try converter.convert(frame)
            picture.timestamp = time
            picture.index = nextIndex
            nextIndex += 1
            return rotation.apply(to: picture)
        }
    }

    /// Passes over the frames before `timestamp`: frames nothing refers to are not decoded at all, the
    /// others only decoded (never converted to RGB). Reference frames are always decoded, so nothing
    /// delivered afterwards shows damage; skipping to the next keyframe instead would stall a stream
    /// whose keyframes are seconds apart.
    public func skip(until timestamp: Double) -> Bool {
        guard let decoder else { return false }
        skipTarget = max(skipTarget ?? timestamp, timestamp)
        decoder.discardNonReferenceFrames(true)
        return true
    }

    /// Makes a read blocked on a stalled network stream (and every later `nextFrame()`) end promptly:
    /// the frames already decoded are still delivered, then `nil`. Safe to call from any thread — the
    /// way to stop a live input from a signal handler's thread while the reading thread waits.
    public func interrupt() {
        interruption.raise()
    }

    /// Decoder threads in use and whether they decode whole frames in parallel (`FF_THREAD_FRAME`).
    public var decoderThreading: (threads: Int, frameThreads: Bool) {
        guard let threading = decoder?.threading else { return (0, false) }
        return (threading.count, threading.frameThreads)
    }

    public func close() {
        guard let decoder else { return }
        closedWarnings = decoder.warnings.messages
        decoder.close()
        self.decoder = nil
    }

    /// The frame's time, or — when it has none — the previous one plus a frame period.
    private func timestamp(for frame: UnsafeMutablePointer<AVFrame>, decoder: VideoStreamDecoder) -> Double {
        let period = decoder.frameDuration(of: frame) ?? info.frameRate.map { 1 / $0 } ?? 1.0 / 25
        let time = decoder.timestamp(of: frame) ?? lastTimestamp.map { $0 + period } ?? 0
        lastTimestamp = time
        return time
    }
}
