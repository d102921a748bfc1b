import CFFmpeg
import Foundation
import VideoFrames

/// Encodes RGB frames into a video file, standard output, or a PNG sequence with FFmpeg.
///
/// The output's name picks container and codec: `.mp4`/`.m4v` → MP4 + H.264 (`+faststart`),
/// `.mov` → QuickTime + H.264, `.mkv` → Matroska + H.264, `.webm` → WebM + VP9, `.nut`, `.avi`, `.ts`
/// → H.264, other extensions → what FFmpeg's muxer prefers; `-` → standard output as Matroska (or
/// `options.container`, e.g. `nut`); a folder (existing, or a path ending in `/`) or a `%05d.png`
/// pattern → one PNG per frame, numbered from 0. With `options.alpha`, `.mov` is ProRes 4444,
/// `.webm`/`.mkv` VP9 with alpha, PNGs RGBA.
///
/// Frames keep their timestamps (seconds, counted in 1/90000 s; variable rates survive). Frames of
/// another size than the writer's are scaled to it. Odd sizes are padded by one repeated
/// column/row for H.264 (which needs even sizes), noted in `warnings`. Audio of `options.audio` (the
/// input's own demuxer) is stream-copied up to the end of the last frame written.
///
/// `finish()` writes the trailer; it is idempotent and safe on error paths (after a failure it only
/// frees). A reader closing standard output surfaces as `MediaError.outputClosed`.
/// Blocking; not thread-safe — one thread at a time (`@unchecked Sendable` only to hand it over).
public final class VideoWriter: @unchecked Sendable {
    /// The output as named (`standard output` for `-`).
    public let name: String
    /// The size frames are encoded at (the requested one; H.264 rounds odd sizes up, see `warnings`).
    public let width: Int
    public let height: Int
    /// FFmpeg muxer and encoder chosen (`mp4`, `libx264`).
    public let containerName: String
    public let encoderName: String
    /// Number of audio streams being copied from `options.audio`.
    public let audioStreamCount: Int

    private let options: VideoWriterOptions
    private var muxer: OutputMuxer?
    private var encoder: VideoEncoder?
    private var audio: AudioStreamCopier?
    private var videoStream: UnsafeMutablePointer<AVStream>?
    private var lastPTS: Int64?
    private var lastFrameEnd: Double = 0
    private var framesWritten = 0
    /// The first failure; later calls rethrow it and `finish()` only frees.
    private var failure: Error?
    private var notes = WarningLog()
    private var warnedAboutScaling = false

    /// Prepares `path` for `width`×`height` frames and writes its header. Throws `MediaError`
    /// (`.unsupportedOutput`, `.noEncoder`, `.writeFailed`, `.outputClosed`).
    public init(path: String, width: Int, height: Int, options: VideoWriterOptions = VideoWriterOptions()) throws {
        FFmpegLogLevel.applyDefaultOnce()
        name = path == "-" ? "standard output" : path
        self.width = width
        self.height = height
        self.options = options
        let format = try VideoOutputFormat(path: path, options: options)
        if format.isImageSequence, !path.contains("%") {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw MediaError.writeFailed(path, reason: "cannot create the folder")
            }
        }
        let muxer = try OutputMuxer(format: format, name: name)
        let encoder = try VideoEncoder(format: format, width: width, height: height, options: options,
                                       globalHeader: muxer.wantsGlobalHeader, name: name)
        if encoder.codedWidth != width || encoder.codedHeight != height {
            notes.append("\(name): \(width)x\(height) is odd; encoded as \(encoder.codedWidth)x\(encoder.codedHeight) (edge repeated) because \(format.codec.encoderName) needs even sizes")
        }
        let stream = try muxer.addStream()
        guard let codecContext = encoder.context, avcodec_parameters_from_context(stream.pointee.codecpar, codecContext) >= 0 else {
            throw MediaError.writeFailed(name, reason: "cannot describe the video stream")
        }
        stream.pointee.time_base = VideoEncoder.timeBase
        stream.pointee.avg_frame_rate = codecContext.pointee.framerate
        if let feed = options.audio, !format.isImageSequence {
            let copier = AudioStreamCopier(feed: feed, muxer: muxer)
            for warning in copier.warnings { notes.append(warning) }
            audio = copier.streamCount > 0 ? copier : nil
        }
        audioStreamCount = audio?.streamCount ?? 0
        try muxer.start(fragmented: options.fragmented)
        containerName = format.muxer
        encoderName = format.codec.encoderName
        videoStream = stream
        self.muxer = muxer
        self.encoder = encoder
    }

    /// As `init(path:…)` for a file URL.
    /// Checks, without opening anything, that `path` names an output this writer can produce with
    /// `options` (a known extension, a muxer and encoder in this FFmpeg build); throws the error `init`
    /// would throw (`MediaError.unsupportedOutput`).
    public static func checkOutputName(_ path: String, options: VideoWriterOptions = VideoWriterOptions()) throws {
        _ = try VideoOutputFormat(path: path, options: options)
    }

    public convenience init(url: URL, width: Int, height: Int, options: VideoWriterOptions = VideoWriterOptions()) throws {
        try self.init(path: StillImage.displayName(of: url), width: width, height: height, options: options)
    }

    deinit { try? finish() }

    /// One-line notes gathered so far (odd-size padding, skipped audio, scaled frames, adjusted timestamps).
    public var warnings: [String] { notes.messages }

    /// Encodes `frame` at `frame.timestamp`. After a failure every call rethrows that first error. `alpha` (required when `options.alpha`, ignored otherwise)
    /// holds `width * height` coverage bytes, 255 = opaque, row-major like the frame.
    public func write(_ frame: RGBFrame, alpha: [UInt8]? = nil) throws {
        if let failure { throw failure }
        guard let encoder, let muxer else { throw MediaError.writeFailed(name, reason: "writer already finished") }
        if options.alpha {
            guard let alpha, alpha.count == frame.width * frame.height else {
                throw MediaError.invalidFrame(name, reason: "alpha output needs \(frame.width * frame.height) alpha bytes per frame, got \(alpha?.count ?? 0)")
            }
        }
        if (frame.width != width || frame.height != height) && !warnedAboutScaling {
            warnedAboutScaling = true
            notes.append("\(name): frames of \(frame.width)x\(frame.height) scaled to \(width)x\(height)")
        }
        let pts = nextPTS(for: frame.timestamp)
        lastFrameEnd = max(lastFrameEnd, frame.timestamp + 1 / max(options.frameRate, 1))
        do {
            try audio?.copy(upTo: frame.timestamp, through: muxer)
            try withPackedPixels(frame, alpha: options.alpha ? alpha : nil) { pixels, bytesPerPixel in
                try encoder.encode(pixels: pixels, width: frame.width, height: frame.height, bytesPerPixel: bytesPerPixel,
                                   pts: pts, deliver: deliver)
            }
            framesWritten += 1
        } catch {
            failure = error
            throw error
        }
    }

    /// Flushes the encoder, copies the remaining audio (up to the end of the last frame), writes the
    /// trailer and closes the output. Idempotent; after a failure it frees without writing more.
    public func finish() throws {
        guard let muxer else { return }
        defer {
            encoder?.release()
            encoder = nil
            audio?.close()
            audio = nil
            muxer.abandon()
            self.muxer = nil
        }
        if failure != nil { return }
        do {
            try encoder?.flush(deliver)
            if framesWritten > 0 { try audio?.copy(upTo: lastFrameEnd, through: muxer) }
            try muxer.finish()
        } catch {
            failure = error
            throw error
        }
    }

    private func deliver(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        guard let muxer, let videoStream else { return }
        av_packet_rescale_ts(packet, VideoEncoder.timeBase, videoStream.pointee.time_base)
        packet.pointee.stream_index = videoStream.pointee.index
        try muxer.write(packet)
    }

    /// The frame's time in 1/90000 s, nudged forward when it does not advance.
    private func nextPTS(for seconds: Double) -> Int64 {
        var pts = Int64((max(0, seconds) * Double(VideoEncoder.timeBase.den)).rounded())
        if let lastPTS, pts <= lastPTS {
            if framesWritten > 0 { notes.append("\(name): frame at \(seconds) s does not advance in time; moved after the previous one") }
            pts = lastPTS + 1
        }
        lastPTS = pts
        return pts
    }

    /// Calls `body` with the frame's pixels packed as RGB24, or as RGBA when `alpha` is given.
    private func withPackedPixels(_ frame: RGBFrame, alpha: [UInt8]?,
                                  _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        guard let alpha else {
            try frame.pixels.withUnsafeBufferPointer { try body($0, 3) }
            return
        }
        let count = frame.width * frame.height
        let rgba = [UInt8](unsafeUninitializedCapacity: count * 4) { out, initialized in
            frame.pixels.withUnsafeBufferPointer { rgb in
                for i in 0..<count {
                    out[i * 4] = rgb[i * 3]
                    out[i * 4 + 1] = rgb[i * 3 + 1]
                    out[i * 4 + 2] = rgb[i * 3 + 2]
                    out[i * 4 + 3] = alpha[i]
                }
            }
            initialized = count * 4
        }
        try rgba.withUnsafeBufferPointer { try body($0, 4) }
    }
}
