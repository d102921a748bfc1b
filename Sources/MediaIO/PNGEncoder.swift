import CFFmpeg

/// Encodes packed pictures (RGB24, RGBA or gray8) of one fixed size into complete PNG files in memory,
/// with libavcodec's PNG encoder. Internal; reused across frames by the PNG writers.
final class PNGEncoder {
    let width: Int
    let height: Int
    let bytesPerPixel: Int
    private let name: String
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?

    /// `format` is one of `AV_PIX_FMT_RGB24`, `AV_PIX_FMT_RGBA`, `AV_PIX_FMT_GRAY8`; `name` is the output, for messages.
    init(width: Int, height: Int, format: AVPixelFormat, name: String) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidFrame(name, reason: "cannot write a \(width)x\(height) picture") }
        self.width = width
        self.height = height
        self.name = name
        switch format {
        case AV_PIX_FMT_RGBA: bytesPerPixel = 4
        case AV_PIX_FMT_GRAY8: bytesPerPixel = 1
        default: bytesPerPixel = 3
        }
        FFmpegLogLevel.applyDefaultOnce()
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_PNG) else { throw MediaError.noEncoder(name, codec: "png") }
        guard let context = avcodec_alloc_context3(encoder), let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        codec = context
        self.frame = frame
        self.packet = packet
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = format
        context.pointee.time_base = AVRational(num: 1, den: 25)
        let status = avcodec_open2(context, encoder, nil)
        if status < 0 { throw MediaError.noEncoder(name, codec: "png (\(ffmpegErrorText(status)))") }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = format.rawValue
        if av_frame_get_buffer(frame, 0) < 0 { throw MediaError.writeFailed(name, reason: "out of memory") }
    }

    deinit {
        avcodec_free_context(&codec)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    /// One PNG file holding `pixels` (`height` rows of `width * bytesPerPixel` bytes, top row first).
    func encode(_ pixels: [UInt8]) throws -> [UInt8] {
        guard let codec, let frame, let packet else { throw MediaError.writeFailed(name, reason: "encoder closed") }
        let rowBytes = width * bytesPerPixel
        guard pixels.count == rowBytes * height else {
            throw MediaError.invalidFrame(name, reason: "expected \(rowBytes * height) bytes for a \(width)x\(height) picture, got \(pixels.count)")
        }
        guard av_frame_make_writable(frame) >= 0, let base = frame.pointee.data.0 else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        let stride = Int(frame.pointee.linesize.0)
        pixels.withUnsafeBufferPointer { source in
            for row in 0..<height {
                (base + row * stride).update(from: source.baseAddress! + row * rowBytes, count: rowBytes)
            }
        }
        var status = avcodec_send_frame(codec, frame)
        if status < 0 { throw MediaError.writeFailed(name, reason: "PNG encoding failed: \(ffmpegErrorText(status))") }
        status = avcodec_receive_packet(codec, packet)
        if status < 0 { throw MediaError.writeFailed(name, reason: "PNG encoding failed: \(ffmpegErrorText(status))") }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }
}
