import CFFmpeg

/// One libavcodec video encoder (x264, VP9, ProRes 4444, PNG, …) fed packed RGB24 or RGBA pictures,
/// which it converts to the encoder's pixel format with libswscale (BT.709, limited range for YUV).
/// Sizes H.264 cannot take (odd) are padded by repeating the last column/row. Internal to `VideoWriter`.
final class VideoEncoder {
    /// The size the encoder codes (the requested size, rounded up to even where the codec needs it).
    let codedWidth: Int
    let codedHeight: Int
    /// Encoder time base: timestamps are counted in 1/90000 s.
    static let timeBase = AVRational(num: 1, den: 90_000)

    private(set) var context: UnsafeMutablePointer<AVCodecContext>?
    private var picture: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var scalerSource: (width: Int32, height: Int32, format: AVPixelFormat)?
    private let pixelFormat: AVPixelFormat
    private let name: String

    init(format: VideoOutputFormat, width: Int, height: Int, options: VideoWriterOptions,
         globalHeader: Bool, name: String) throws {
        self.name = name
        guard width > 0, height > 0 else { throw MediaError.invalidFrame(name, reason: "cannot encode a \(width)x\(height) video") }
        guard let encoder = avcodec_find_encoder_by_name(format.codec.encoderName) else {
            throw MediaError.noEncoder(name, codec: format.codec.encoderName)
        }
        let even = format.needsEvenSize
        codedWidth = even ? (width + 1) / 2 * 2 : width
        codedHeight = even ? (height + 1) / 2 * 2 : height
        pixelFormat = VideoEncoder.supported(format.pixelFormat, by: encoder)
        guard let context = avcodec_alloc_context3(encoder), let picture = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw MediaError.writeFailed(name, reason: "out of memory")
        }
        self.context = context
        self.picture = picture
        self.packet = packet

        context.pointee.width = Int32(codedWidth)
        context.pointee.height = Int32(codedHeight)
        context.pointee.pix_fmt = pixelFormat
        context.pointee.time_base = VideoEncoder.timeBase
        context.pointee.framerate = av_d2q(options.frameRate, 100_000)
        context.pointee.thread_count = 0
        if options.fragmented { context.pointee.gop_size = Int32(max(1, options.frameRate.rounded())) }
        if globalHeader { context.pointee.flags |= CLIPSEG_AV_CODEC_FLAG_GLOBAL_HEADER }
        let isYUV = av_pix_fmt_desc_get(pixelFormat).map { $0.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0 && $0.pointee.nb_components >= 3 } ?? false
        if isYUV {
            context.pointee.colorspace = AVCOL_SPC_BT709
            context.pointee.color_primaries = AVCOL_PRI_BT709
            context.pointee.color_trc = AVCOL_TRC_BT709
            context.pointee.color_range = AVCOL_RANGE_MPEG
        }
        let privateOptions = context.pointee.priv_data
        switch format.codec {
        case .h264:
            av_opt_set(privateOptions, "preset", options.x264Preset, 0)
            av_opt_set(privateOptions, "crf", String(options.quality ?? 20), 0)
        case .vp9:
            av_opt_set(privateOptions, "deadline", "good", 0)
            av_opt_set(privateOptions, "cpu-used", "5", 0)
            av_opt_set(privateOptions, "row-mt", "1", 0)
            av_opt_set(privateOptions, "crf", String(options.quality ?? 32), 0)
            context.pointee.bit_rate = 0
        case .proRes4444:
            av_opt_set(privateOptions, "profile", "4444", 0)
            av_opt_set(privateOptions, "vendor", "apl0", 0)
        case .png, .other:
            break
        }
        let status = avcodec_open2(context, encoder, nil)
        if status < 0 { throw MediaError.noEncoder(name, codec: "\(format.codec.encoderName) (\(ffmpegErrorText(status)))") }

        picture.pointee.width = Int32(codedWidth)
        picture.pointee.height = Int32(codedHeight)
        picture.pointee.format = pixelFormat.rawValue
        if isYUV {
            picture.pointee.colorspace = AVCOL_SPC_BT709
            picture.pointee.color_range = AVCOL_RANGE_MPEG
        }
        if av_frame_get_buffer(picture, 0) < 0 { throw MediaError.writeFailed(name, reason: "out of memory") }
    }

    deinit { release() }

    func release() {
        sws_freeContext(scaler)
        scaler = nil
        av_frame_free(&picture)
        av_packet_free(&packet)
        avcodec_free_context(&context)
    }

    /// Encodes one packed picture (`bytesPerPixel` 3 = RGB24, 4 = RGBA) of `width`×`height` at `pts`
    /// (in `timeBase`), handing every finished packet to `deliver`.
    func encode(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerPixel: Int, pts: Int64,
                deliver: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let context, let picture else { throw MediaError.writeFailed(name, reason: "encoder closed") }
        let sourceFormat = bytesPerPixel == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24
        guard av_frame_make_writable(picture) >= 0 else { throw MediaError.writeFailed(name, reason: "out of memory") }
        try convert(pixels, width: width, height: height, format: sourceFormat, bytesPerPixel: bytesPerPixel, into: picture)
        picture.pointee.pts = pts
        let status = avcodec_send_frame(context, picture)
        if status < 0 { throw MediaError.writeFailed(name, reason: "encoding failed: \(ffmpegErrorText(status))") }
        try drain(deliver)
    }

    /// Flushes the encoder's delayed packets to `deliver`.
    func flush(_ deliver: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let context else { return }
        let status = avcodec_send_frame(context, nil)
        if status < 0 && status != CLIPSEG_AVERROR_EOF {
            throw MediaError.writeFailed(name, reason: "encoding failed: \(ffmpegErrorText(status))")
        }
        try drain(deliver)
    }

    private func drain(_ deliver: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let context, let packet else { return }
        while true {
            let status = avcodec_receive_packet(context, packet)
            if status == CLIPSEG_AVERROR_EAGAIN || status == CLIPSEG_AVERROR_EOF { return }
            if status < 0 { throw MediaError.writeFailed(name, reason: "encoding failed: \(ffmpegErrorText(status))") }
            defer { av_packet_unref(packet) }
            try deliver(packet)
        }
    }

    /// Scales/converts the packed picture into the encoder's frame. A picture one column or row short of
    /// the coded size (odd sizes in H.264) is converted at its own size and its last column/row repeated.
    private func convert(_ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, format: AVPixelFormat,
                         bytesPerPixel: Int, into picture: UnsafeMutablePointer<AVFrame>) throws {
        let padsOnly = width <= codedWidth && height <= codedHeight && codedWidth - width <= 1 && codedHeight - height <= 1
        let (outW, outH) = padsOnly ? (width, height) : (codedWidth, codedHeight)
        if scalerSource.map({ $0.width != Int32(width) || $0.height != Int32(height) || $0.format != format }) ?? true {
            scaler = sws_getCachedContext(scaler, Int32(width), Int32(height), format, Int32(outW), Int32(outH),
                                          pixelFormat, SWS_BICUBIC, nil, nil, nil)
            guard let scaler else { throw MediaError.writeFailed(name, reason: "cannot convert RGB to the encoder's pixels") }
            let bt709 = sws_getCoefficients(SWS_CS_ITU709)
            _ = sws_setColorspaceDetails(scaler, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16)
            scalerSource = (Int32(width), Int32(height), format)
        }
        guard let scaler else { return }
        var source: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
        var sourceStride: [Int32] = [Int32(width * bytesPerPixel), 0, 0, 0]
        let rows = withUnsafeMutablePointer(to: &picture.pointee.data) { data in
            withUnsafeMutablePointer(to: &picture.pointee.linesize) { strides in
                sws_scale(scaler, &source, &sourceStride, 0, Int32(height),
                          UnsafeMutableRawPointer(data).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                          UnsafeMutableRawPointer(strides).assumingMemoryBound(to: Int32.self))
            }
        }
        guard rows == outH else { throw MediaError.writeFailed(name, reason: "pixel conversion failed") }
        if padsOnly && (outW < codedWidth || outH < codedHeight) { repeatEdges(picture, width: outW, height: outH) }
    }

    /// Fills the coded area beyond `width`×`height` by repeating the last column and row, plane by plane.
    private func repeatEdges(_ picture: UnsafeMutablePointer<AVFrame>, width: Int, height: Int) {
        guard let descriptor = av_pix_fmt_desc_get(pixelFormat) else { return }
        let bytesPerSample = Int(descriptor.pointee.comp.0.depth) > 8 ? 2 : 1
        let planes = Int(av_pix_fmt_count_planes(pixelFormat))
        withUnsafePointer(to: picture.pointee.data) { dataTuple in
            withUnsafePointer(to: picture.pointee.linesize) { strideTuple in
                let data = UnsafeRawPointer(dataTuple).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
                let strides = UnsafeRawPointer(strideTuple).assumingMemoryBound(to: Int32.self)
                for plane in 0..<planes {
                    guard let base = data[plane] else { continue }
                    let chroma = plane == 1 || plane == 2
                    let shiftW = chroma ? Int(descriptor.pointee.log2_chroma_w) : 0
                    let shiftH = chroma ? Int(descriptor.pointee.log2_chroma_h) : 0
                    let usedW = (width + (1 << shiftW) - 1) >> shiftW, usedH = (height + (1 << shiftH) - 1) >> shiftH
                    let fullW = (codedWidth + (1 << shiftW) - 1) >> shiftW, fullH = (codedHeight + (1 << shiftH) - 1) >> shiftH
                    let stride = Int(strides[plane])
                    for row in 0..<usedH where fullW > usedW {
                        let line = base + row * stride
                        for column in usedW..<fullW {
                            (line + column * bytesPerSample).update(from: line + (usedW - 1) * bytesPerSample, count: bytesPerSample)
                        }
                    }
                    for row in usedH..<max(usedH, fullH) {
                        (base + row * stride).update(from: base + (usedH - 1) * stride, count: fullW * bytesPerSample)
                    }
                }
            }
        }
    }

    /// `wanted` if the encoder takes it, else the encoder's first pixel format.
    private static func supported(_ wanted: AVPixelFormat, by encoder: UnsafePointer<AVCodec>) -> AVPixelFormat {
        guard let formats = encoder.pointee.pix_fmts else { return wanted }
        var index = 0
        while formats[index] != AV_PIX_FMT_NONE {
            if formats[index] == wanted { return wanted }
            index += 1
        }
        return formats[0] == AV_PIX_FMT_NONE ? wanted : formats[0]
    }
}
