import CFFmpeg

/// Encodes RGB24 pictures of one fixed size into complete JPEG files in memory, with libavcodec's MJPEG
/// encoder (full-range YUV 4:2:0, converted by `FullRangeYUV420`). Made for the live preview: one encoder, reused
/// for every frame on one thread (not thread-safe); the returned bytes are the caller's.
public final class JPEGEncoder {
    public let width: Int
    public let height: Int
    private let name: String
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?

    /// - Parameters:
    ///   - quality: libavcodec's quantiser scale, 2 (best, largest) to 31 (worst, smallest).
    ///   - name: the output, for messages.
    public init(width: Int, height: Int, quality: Int = 5, name: String) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidFrame(name, reason: "cannot encode a \(width)x\(height) picture") }
        guard (2...31).contains(quality) else {
            throw MediaError.invalidFrame(name, reason: "JPEG quality must be 2 to 31, got \(quality)")
        }
        self.width = width
        self.height = height
        self.name = name
        FFmpegLogLevel.applyDefaultOnce()
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else { throw MediaError.noEncoder(name, codec: "mjpeg") }
        guard let context = avcodec_alloc_context3(encoder), let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        codec = context
        self.frame = frame
        self.packet = packet
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 30)
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
        context.pointee.thread_count = 1
        let status = avcodec_open2(context, encoder, nil)
        if status < 0 { throw MediaError.noEncoder(name, codec: "mjpeg (\(ffmpegErrorText(status)))") }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        frame.pointee.quality = context.pointee.global_quality
        if av_frame_get_buffer(frame, 0) < 0 { throw MediaError.writeFailed(name, reason: "out of memory") }
    }

    deinit {
        avcodec_free_context(&codec)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    /// One JPEG file holding `pixels` (`height` rows of `width * 3` RGB bytes, top row first).
    public func encode(_ pixels: [UInt8]) throws -> [UInt8] {
        guard let codec, let frame, let packet else { throw MediaError.writeFailed(name, reason: "encoder closed") }
        guard pixels.count == width * height * 3 else {
            throw MediaError.invalidFrame(name, reason: "expected \(width * height * 3) bytes for a \(width)x\(height) picture, got \(pixels.count)")
        }
        guard av_frame_make_writable(frame) >= 0 else { throw MediaError.writeFailed(name, reason: "out of memory") }
        guard let y = frame.pointee.data.0, let cb = frame.pointee.data.1, let cr = frame.pointee.data.2 else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        pixels.withUnsafeBufferPointer { source in
            FullRangeYUV420.convert(rgb: source.baseAddress!, width: width, height: height,
                                    y: y, yStride: Int(frame.pointee.linesize.0),
                                    cb: cb, cbStride: Int(frame.pointee.linesize.1),
                                    cr: cr, crStride: Int(frame.pointee.linesize.2))
        }
        var status = avcodec_send_frame(codec, frame)
        if status < 0 { throw MediaError.writeFailed(name, reason: "JPEG encoding failed: \(ffmpegErrorText(status))") }
        status = avcodec_receive_packet(codec, packet)
        if status < 0 { throw MediaError.writeFailed(name, reason: "JPEG encoding failed: \(ffmpegErrorText(status))") }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }
}
