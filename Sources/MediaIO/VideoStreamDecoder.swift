import CFFmpeg
import VideoFrames
#if canImport(Glibc)
import Glibc
#endif

/// Demuxes one input with libavformat and decodes its best video stream with libavcodec
/// (frame-threaded). Internal: the `AVFrame` it hands out is valid until the next call and never
/// leaves MediaIO; `VideoFileSource` and `StillImage` turn it into an `RGBFrame`.
///
/// Damage is recovered where FFmpeg can: a packet the decoder rejects is skipped, a read error ends
/// the input early; both are recorded in `warnings`. Used by one thread at a time.
final class VideoStreamDecoder {
    let location: InputLocation
    /// Coded picture size (before display rotation).
    let codedWidth: Int
    let codedHeight: Int
    /// Average (or, failing that, guessed) frames per second.
    let frameRate: Double?
    /// Seconds, from the stream or the container.
    let duration: Double?
    /// Frames the container announces.
    let frameCount: Int?
    /// How to turn pictures upright.
    let rotation: DisplayRotation
    /// The decoder's name (`h264`, `vp9`, …).
    let codecName: String
    /// The container also holds an audio stream.
    let hasAudio: Bool

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let streamIndex: Int32
    private let timeBase: AVRational
    /// Container start time in seconds; timestamps are reported relative to it.
    private let startTime: Double
    private var draining = false
    private var ended = false
    private var readFailure: String?
    /// The last problem seen (FFmpeg's words), for the error when nothing decodes.
    private var lastProblem: String?
    private var logListener: Int?
    private(set) var warnings = WarningLog()
    private(set) var framesDecoded = 0
    /// Raised by `interrupt()`; polled by FFmpeg inside blocking reads (with the stall deadline).
    let interruption: ReadInterruption
    /// The largest picture (width × height) decoded pictures may have.
    let maximumPixels: Int
    /// Seconds a network read may wait for data (nil: files, or no limit).
    let stallTimeout: Double?
    /// Where audio packets go, and which input streams they come from.
    private let audioFeed: AudioPacketFeed?
    private let audioMapping: [Int32: Int]
    /// Why reading stopped, once it has.
    private(set) var ending: StreamEnding?

    /// Opens `location` and its decoder. `threaded: false` decodes on the calling thread only (still images).
    /// Throws `MediaError.tooManyPixels` when the stream's pictures exceed `maximumPixels` (before decoding any),
    /// and from `nextFrame()` when a picture later in the stream does (before it is handed on to be converted).
    /// `openOptions`: AVOptions and the stall timeout; `audioFeed`: where the input's audio packets go (nil: nowhere).
    init(location: InputLocation, threaded: Bool = true, maximumPixels: Int = PixelLimit.defaultMaximum,
         openOptions: InputOpenOptions = InputOpenOptions(), audioFeed: AudioPacketFeed? = nil,
         interruption: ReadInterruption = ReadInterruption()) throws {
        FFmpegLogLevel.applyDefaultOnce()
        self.interruption = interruption
        self.location = location
        self.maximumPixels = maximumPixels
        if let error = location.preflightError() { throw error }
        let name = location.name

        var context = avformat_alloc_context()
        guard context != nil else { throw MediaError.unreadable(name, reason: "out of memory") }
        context?.pointee.interrupt_callback = interruption.callback
        // Registered before opening, so that what FFmpeg says while opening and probing is this input's too.
        let listener = FFmpegLogCapture.shared.register(contexts: [context.map { UnsafeMutableRawPointer($0) }])
        var listening = false
        defer { if !listening { FFmpegLogCapture.shared.unregister(listener) } }
        var options: OpaquePointer? = nil
        let entries = openOptions.dictionaryEntries(for: location)
        for (key, value) in entries { av_dict_set(&options, key, value, 0) }
        stallTimeout = location.isNetwork ? openOptions.stallTimeout : nil
        interruption.arm(seconds: stallTimeout)
        var status = avformat_open_input(&context, location.ffmpegURL, nil, &options)
        let stalledWhileOpening = interruption.deadlinePassed
        interruption.arm(seconds: nil)
        var leftover: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(options, "", entry, AV_DICT_IGNORE_SUFFIX) {
            leftover.append(String(cString: next.pointee.key))
            entry = next
        }
        av_dict_free(&options)
        guard status >= 0, let context else {
            if stalledWhileOpening, let stallTimeout {
                throw MediaError.unreadable(name, reason: "no answer in \(StreamEnding.seconds(stallTimeout))")
            }
            throw VideoStreamDecoder.openError(status, name: name)
        }
        var keep = false
        var contextToClose: UnsafeMutablePointer<AVFormatContext>? = context
        defer { if !keep { avformat_close_input(&contextToClose) } }

        let userKeys = Set(openOptions.formatOptions.map(\.key))
        let unknown = leftover.filter { userKeys.contains($0) }
        if !unknown.isEmpty {
            throw MediaError.unknownInputOptions(name, keys: unknown,
                                                 valid: InputOptionNames.valid(for: context, url: location.ffmpegURL))
        }
        interruption.arm(seconds: stallTimeout)
        status = avformat_find_stream_info(context, nil)
        let stalledWhileProbing = interruption.deadlinePassed
        interruption.arm(seconds: nil)
        if status < 0 {
            if stalledWhileProbing, let stallTimeout {
                throw MediaError.unreadable(name, reason: "no video within \(StreamEnding.seconds(stallTimeout))")
            }
            throw MediaError.notMedia(name, reason: ffmpegErrorText(status))
        }

        var decoder: UnsafePointer<AVCodec>? = nil
        let best = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if best == CLIPSEG_AVERROR_DECODER_NOT_FOUND || (best >= 0 && decoder == nil) {
            throw MediaError.noDecoder(name, codec: VideoStreamDecoder.describeVideoCodec(context))
        }
        guard best >= 0, let decoder, let stream = context.pointee.streams[Int(best)] else {
            throw MediaError.noVideoStream(name)
        }
        var audio = false
        let mapping = audioFeed?.attach(context) ?? [:]
        for i in 0..<Int(context.pointee.nb_streams) where i != Int(best) {
            if context.pointee.streams[i]?.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO { audio = true }
            if mapping[Int32(i)] == nil { context.pointee.streams[i]?.pointee.discard = AVDISCARD_ALL }
        }
        hasAudio = audio
        audioMapping = mapping
        self.audioFeed = mapping.isEmpty ? nil : audioFeed
        let parameters = stream.pointee.codecpar.pointee
        try PixelLimit.check(width: Int(parameters.width), height: Int(parameters.height), maximum: maximumPixels,
                             name: name)

        guard let codecContext = avcodec_alloc_context3(decoder) else {
            throw MediaError.decodeFailed(name, reason: "out of memory")
        }
        var codecToFree: UnsafeMutablePointer<AVCodecContext>? = codecContext
        defer { if !keep { avcodec_free_context(&codecToFree) } }
        status = avcodec_parameters_to_context(codecContext, stream.pointee.codecpar)
        if status < 0 { throw MediaError.decodeFailed(name, reason: ffmpegErrorText(status)) }
        codecContext.pointee.pkt_timebase = stream.pointee.time_base
        codecContext.pointee.thread_count = threaded ? 0 : 1
        codecContext.pointee.thread_type = FF_THREAD_FRAME
        // Low delay: pictures leave the decoder as soon as they can (no frame threads holding them back).
        if openOptions.lowDelayDecoding(for: location) { codecContext.pointee.flags |= Int32(AV_CODEC_FLAG_LOW_DELAY) }
        status = avcodec_open2(codecContext, decoder, nil)
        if status < 0 {
            throw MediaError.decodeFailed(name, reason: "cannot open the \(String(cString: decoder.pointee.name)) decoder: \(ffmpegErrorText(status))")
        }

        guard let packet = av_packet_alloc(), let frame = av_frame_alloc() else {
            throw MediaError.decodeFailed(name, reason: "out of memory")
        }

        streamIndex = best
        timeBase = stream.pointee.time_base
        codecName = String(cString: decoder.pointee.name)
        codedWidth = Int(parameters.width)
        codedHeight = Int(parameters.height)
        frameRate = VideoStreamDecoder.frameRate(of: stream, in: context)
        duration = VideoStreamDecoder.duration(of: stream, in: context)
        frameCount = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        var sideDataSize: Int = 0
        let matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &sideDataSize)
        rotation = sideDataSize >= 9 * MemoryLayout<Int32>.size
            ? matrix.map { DisplayRotation(displayMatrix: UnsafeRawPointer($0).assumingMemoryBound(to: Int32.self)) } ?? .none
            : .none
        if context.pointee.start_time != CLIPSEG_AV_NOPTS_VALUE {
            startTime = Double(context.pointee.start_time) / Double(CLIPSEG_AV_TIME_BASE)
        } else if stream.pointee.start_time != CLIPSEG_AV_NOPTS_VALUE {
            startTime = Double(stream.pointee.start_time) * av_q2d(stream.pointee.time_base)
        } else {
            startTime = 0
        }
        FFmpegLogCapture.shared.add(contexts: [UnsafeMutableRawPointer(codecContext)], to: listener)
        logListener = listener
        listening = true
        format = context
        codec = codecContext
        self.packet = packet
        self.frame = frame
        keep = true
    }

    deinit { close() }

    /// Frees every FFmpeg object; later `nextFrame()` calls return nil.
    func close() {
        if let logListener {
            collectLog()
            FFmpegLogCapture.shared.unregister(logListener)
            self.logListener = nil
        }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        avformat_close_input(&format)
        ended = true
    }

    /// The next decoded frame (valid until the next call or `close()`), or nil at the end of the input.
    /// Throws when the input ends without a single decodable frame, or a picture is larger than `maximumPixels`.
    func nextFrame() throws -> UnsafeMutablePointer<AVFrame>? {
        guard !ended, let format, let codec, let packet, let frame else { return nil }
        defer { collectLog() }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received >= 0 {
                try PixelLimit.check(width: Int(frame.pointee.width), height: Int(frame.pointee.height),
                                     maximum: maximumPixels, name: location.name)
                framesDecoded += 1
                noteConcealedDamage(frame)
                return frame
            }
            if received == CLIPSEG_AVERROR_EOF {
                return try finish()
            }
            if received != CLIPSEG_AVERROR_EAGAIN {
                warn("skipped a frame that does not decode (\(ffmpegErrorText(received)))", problem: ffmpegErrorText(received))
                if draining { continue }
            }
            if draining {
                // Frame threads are still busy; they deliver or report EOF on the next call.
                continue
            }
            interruption.arm(seconds: stallTimeout)
            let read = av_read_frame(format, packet)
            let stalled = interruption.deadlinePassed || interruption.stallTripped
            interruption.arm(seconds: nil)
            if read < 0 {
                if interruption.isRaised {
                    ending = .interrupted
                } else if stalled, let stallTimeout {
                    ending = .stalled(seconds: stallTimeout)
                    readFailure = ending?.reason
                } else if read == CLIPSEG_AVERROR_EOF {
                    ending = .endOfInput
                } else {
                    readFailure = ffmpegErrorText(read)
                    ending = .failed(ffmpegErrorText(read))
                }
                draining = true
                avcodec_send_packet(codec, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else {
                if let audioFeed, let number = audioMapping[packet.pointee.stream_index],
                   let stream = format.pointee.streams[Int(packet.pointee.stream_index)] {
                    audioFeed.push(packet, inputStream: stream, feedIndex: number, startTime: startTime)
                }
                continue
            }
            if packet.pointee.flags & AV_PKT_FLAG_CORRUPT != 0 {
                warn("corrupt packet at \(describeTime(packet.pointee.pts))", problem: "corrupt packet")
            }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0 && sent != CLIPSEG_AVERROR_EAGAIN {
                warn("skipped a damaged packet at \(describeTime(packet.pointee.pts)) (\(ffmpegErrorText(sent)))", problem: ffmpegErrorText(sent))
            }
        }
    }

    /// Whether frames nothing refers to (B-frames, …) are left out (`AVCodecContext.skip_frame`), for
    /// catching up. Frames left out are never output, so the count of frames decoded no longer says
    /// whether the input was cut short.
    func discardNonReferenceFrames(_ discard: Bool) {
        guard let codec else { return }
        codec.pointee.skip_frame = discard ? AVDISCARD_NONREF : AVDISCARD_DEFAULT
        if discard { framesDiscarded = true }
    }

    private var framesDiscarded = false

    /// Decoder threads and whether they work on whole frames (`FF_THREAD_FRAME`), as opened.
    var threading: (count: Int, frameThreads: Bool) {
        guard let codec else { return (0, false) }
        return (Int(codec.pointee.thread_count), codec.pointee.active_thread_type & FF_THREAD_FRAME != 0)
    }

    /// Seconds from the start of the input for the frame's best-effort timestamp, or nil when it has none.
    func timestamp(of frame: UnsafeMutablePointer<AVFrame>) -> Double? {
        let pts = frame.pointee.best_effort_timestamp
        guard pts != CLIPSEG_AV_NOPTS_VALUE else { return nil }
        return Double(pts) * av_q2d(timeBase) - startTime
    }

    /// The duration the container gives this frame, in seconds, when it does.
    func frameDuration(of frame: UnsafeMutablePointer<AVFrame>) -> Double? {
        let ticks = frame.pointee.pkt_duration
        return ticks > 0 ? Double(ticks) * av_q2d(timeBase) : nil
    }

    private func finish() throws -> UnsafeMutablePointer<AVFrame>? {
        ended = true
        collectLog()
        if framesDecoded == 0 {
            throw MediaError.decodeFailed(location.name, reason: lastProblem ?? readFailure ?? "no frame in the video stream")
        }
        if let readFailure {
            warn("input ends early after \(framesDecoded) frames (\(readFailure))")
        } else if let frameCount, framesDecoded < frameCount, !framesDiscarded {
            warn("input ends early: decoded \(framesDecoded) of \(frameCount) frames (truncated?)")
        }
        return nil
    }

    /// Records "<name>: <message>"; `problem` becomes the reason if nothing ever decodes.
    private func warn(_ message: String, problem: String? = nil) {
        warnings.append("\(location.name): \(message)")
        if let problem { lastProblem = problem }
    }

    /// Moves FFmpeg's captured error lines for this input into `warnings`.
    private func collectLog() {
        guard let logListener else { return }
        for line in FFmpegLogCapture.shared.drain(logListener) { warn(line, problem: line) }
    }

    private func noteConcealedDamage(_ frame: UnsafeMutablePointer<AVFrame>) {
        if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 {
            let at = describeTime(frame.pointee.best_effort_timestamp)
            warn("frame at \(at) decoded with errors (damage concealed)")
        }
    }

    private func describeTime(_ pts: Int64) -> String {
        guard pts != CLIPSEG_AV_NOPTS_VALUE else { return "an unknown time" }
        let seconds = Double(pts) * av_q2d(timeBase) - startTime
        return "\((seconds * 1000).rounded() / 1000) s"
    }

    private static func openError(_ status: Int32, name: String) -> MediaError {
        if status == averror(ENOENT) { return .noSuchFile(name) }
        if status == CLIPSEG_AVERROR_INVALIDDATA { return .notMedia(name, reason: ffmpegErrorText(status)) }
        return .unreadable(name, reason: ffmpegErrorText(status))
    }

    /// "none (tag XVID)"-style name of the first video stream's codec, for the no-decoder error.
    private static func describeVideoCodec(_ context: UnsafeMutablePointer<AVFormatContext>) -> String {
        for i in 0..<Int(context.pointee.nb_streams) {
            guard let parameters = context.pointee.streams[i]?.pointee.codecpar.pointee,
                  parameters.codec_type == AVMEDIA_TYPE_VIDEO else { continue }
            let name = parameters.codec_id == AV_CODEC_ID_NONE ? "unknown" : String(cString: avcodec_get_name(parameters.codec_id))
            guard parameters.codec_tag != 0 else { return name }
            var buffer = [CChar](repeating: 0, count: 32)
            let tag = buffer.withUnsafeMutableBufferPointer { String(cString: av_fourcc_make_string($0.baseAddress, parameters.codec_tag)) }
            return "\(name) (tag \(tag))"
        }
        return "unknown"
    }

    private static func frameRate(of stream: UnsafeMutablePointer<AVStream>, in context: UnsafeMutablePointer<AVFormatContext>) -> Double? {
        var rate = stream.pointee.avg_frame_rate
        if rate.num <= 0 || rate.den <= 0 { rate = av_guess_frame_rate(context, stream, nil) }
        guard rate.num > 0, rate.den > 0 else { return nil }
        return av_q2d(rate)
    }

    private static func duration(of stream: UnsafeMutablePointer<AVStream>, in context: UnsafeMutablePointer<AVFormatContext>) -> Double? {
        if stream.pointee.duration != CLIPSEG_AV_NOPTS_VALUE, stream.pointee.duration > 0 {
            return Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        }
        if context.pointee.duration != CLIPSEG_AV_NOPTS_VALUE, context.pointee.duration > 0 {
            return Double(context.pointee.duration) / Double(CLIPSEG_AV_TIME_BASE)
        }
        return nil
    }
}
