import CFFmpeg

/// Encodes RGB24 pictures of one fixed size into complete JPEG files in memory, with libavcodec's MJPEG
/// encoder (full-range YUV 4:2:0, converted by `FullRangeYUV420`). Made for the live preview: one encoder, reused
/// for every frame on one thread (not thread-safe); the returned bytes are the caller's.
public final class JPEGEncoder {
    public let width: Int
    public let height: Int
    private let name: String
    private let codec: StillPictureCodec

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
        codec = try StillPictureCodec(AV_CODEC_ID_MJPEG, codecName: "mjpeg", kind: "JPEG", width: width, height: height,
                                      format: AV_PIX_FMT_YUVJ420P, name: name) { context in
            context.pointee.color_range = AVCOL_RANGE_JPEG
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.global_quality = Int32(quality) * FF_QP2LAMBDA
            context.pointee.thread_count = 1
        }
    }

    /// One JPEG file holding `pixels` (`height` rows of `width * 3` RGB bytes, top row first).
    public func encode(_ pixels: [UInt8]) throws -> [UInt8] {
        guard pixels.count == width * height * 3 else {
            throw MediaError.invalidFrame(name, reason: "expected \(width * height * 3) bytes for a \(width)x\(height) picture, got \(pixels.count)")
        }
        return try codec.encode { frame in
            guard let y = frame.pointee.data.0, let cb = frame.pointee.data.1, let cr = frame.pointee.data.2 else {
                throw MediaError.writeFailed(name, reason: "out of memory")
            }
            pixels.withUnsafeBufferPointer { source in
                FullRangeYUV420.convert(rgb: source.baseAddress!, width: width, height: height,
                                        y: y, yStride: Int(frame.pointee.linesize.0),
                                        cb: cb, cbStride: Int(frame.pointee.linesize.1),
                                        cr: cr, crStride: Int(frame.pointee.linesize.2))
            }
        }
    }
}
