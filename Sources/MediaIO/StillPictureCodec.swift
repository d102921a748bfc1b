import CFFmpeg

/// One libavcodec encoder of single pictures (PNG, MJPEG) of a fixed size and pixel format, with the frame
/// and packet it reuses: what `PNGEncoder` and `JPEGEncoder` share. Each `encode` fills the frame (the
/// caller's conversion), sends it and returns the one packet as a complete file. Not thread-safe.
final class StillPictureCodec {
    let width: Int
    let height: Int
    private let name: String
    private let codecName: String
    private let kind: String
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?

    /// `configure` sets what the codec needs beyond size, pixel format and time base (quality, range, threads);
    /// `codecName` is libavcodec's (`png`, `mjpeg`) and `kind` the file format (`PNG`, `JPEG`), for messages;
    /// `name` is the output.
    init(_ id: AVCodecID, codecName: String, kind: String, width: Int, height: Int, format: AVPixelFormat, name: String,
         configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }) throws {
        self.width = width
        self.height = height
        self.name = name
        self.codecName = codecName
        self.kind = kind
        FFmpegLogLevel.applyDefaultOnce()
        guard let encoder = avcodec_find_encoder(id) else { throw MediaError.noEncoder(name, codec: codecName) }
        guard let context = avcodec_alloc_context3(encoder), let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        codec = context
        self.frame = frame
        self.packet = packet
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = format
        context.pointee.time_base = AVRational(num: 1, den: 30)
        configure(context)
        let status = avcodec_open2(context, encoder, nil)
        if status < 0 { throw MediaError.noEncoder(name, codec: "\(codecName) (\(ffmpegErrorText(status)))") }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = format.rawValue
        frame.pointee.quality = context.pointee.global_quality
        if av_frame_get_buffer(frame, 0) < 0 { throw MediaError.writeFailed(name, reason: "out of memory") }
    }

    deinit {
        avcodec_free_context(&codec)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    /// `fill` writes the picture into the (writable) frame's planes; returns the encoded file's bytes.
    func encode(fill: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws -> [UInt8] {
        guard let codec, let frame, let packet else { throw MediaError.writeFailed(name, reason: "encoder closed") }
        guard av_frame_make_writable(frame) >= 0 else { throw MediaError.writeFailed(name, reason: "out of memory") }
        try fill(frame)
        var status = avcodec_send_frame(codec, frame)
        if status < 0 { throw failure(status) }
        status = avcodec_receive_packet(codec, packet)
        if status < 0 { throw failure(status) }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }

    private func failure(_ status: Int32) -> MediaError {
        MediaError.writeFailed(name, reason: "\(kind) encoding failed: \(ffmpegErrorText(status))")
    }
}
