import CFFmpeg
import VideoFrames

/// Converts decoded `AVFrame`s of any pixel format (8/10/12-bit, 4:2:0/4:2:2/4:4:4, RGB, gray, palette)
/// into Swift-owned RGB24 `RGBFrame`s with libswscale, honouring the frame's YUV matrix and range.
///
/// The `SwsContext` is reused while the input's size, format and colour description stay the same and
/// rebuilt when they change mid-stream. Internal; one thread at a time.
final class RGBConverter {
    private struct Key: Equatable {
        var width: Int32, height: Int32, format: Int32, colorSpace: UInt32, fullRange: Bool
    }

    private var context: OpaquePointer?
    private var key: Key?
    /// Aligned RGB24 scratch picture swscale writes into.
    private var scratch: UnsafeMutablePointer<AVFrame>?
    /// Name of the source, for error messages.
    private let name: String

    init(name: String) { self.name = name }

    deinit {
        sws_freeContext(context)
        av_frame_free(&scratch)
    }

    /// The picture in `frame` as RGB24 (size unchanged). Timestamp and index are set by the caller.
    func convert(_ frame: UnsafePointer<AVFrame>) throws -> RGBFrame {
        let width = frame.pointee.width, height = frame.pointee.height
        guard width > 0, height > 0 else { throw MediaError.decodeFailed(name, reason: "decoded a frame of size \(width)x\(height)") }
        let (format, impliedFullRange) = RGBConverter.unJPEG(AVPixelFormat(rawValue: frame.pointee.format))
        let fullRange = impliedFullRange || frame.pointee.color_range == AVCOL_RANGE_JPEG
        let wanted = Key(width: width, height: height, format: format.rawValue,
                         colorSpace: frame.pointee.colorspace.rawValue, fullRange: fullRange)
        if wanted != key { try rebuild(for: wanted, format: format) }
        guard let context, let scratch else { throw MediaError.decodeFailed(name, reason: "no scaler") }

        let scaled = withUnsafePointer(to: frame.pointee.data) { dataTuple in
            withUnsafePointer(to: frame.pointee.linesize) { strideTuple in
                withUnsafePointer(to: scratch.pointee.data) { dstTuple in
                    withUnsafePointer(to: scratch.pointee.linesize) { dstStrideTuple in
                        sws_scale(context,
                                  UnsafeRawPointer(dataTuple).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                                  UnsafeRawPointer(strideTuple).assumingMemoryBound(to: Int32.self),
                                  0, height,
                                  UnsafeRawPointer(dstTuple).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                  UnsafeRawPointer(dstStrideTuple).assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        }
        guard scaled == height, let base = scratch.pointee.data.0 else {
            throw MediaError.decodeFailed(name, reason: "pixel conversion failed")
        }
        let rowBytes = Int(width) * 3, stride = Int(scratch.pointee.linesize.0)
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * Int(height)) { out, count in
            for row in 0..<Int(height) {
                (out.baseAddress! + row * rowBytes).update(from: base + row * stride, count: rowBytes)
            }
            count = rowBytes * Int(height)
        }
        return RGBFrame(width: Int(width), height: Int(height), pixels: pixels)
    }

    private func rebuild(for wanted: Key, format: AVPixelFormat) throws {
        // The flags FFmpeg's own command line converts with, so frames match `ffmpeg -pix_fmt rgb24`.
        let flags = SWS_BICUBIC
        context = sws_getCachedContext(context, wanted.width, wanted.height, format,
                                       wanted.width, wanted.height, AV_PIX_FMT_RGB24, flags, nil, nil, nil)
        guard let context else {
            key = nil
            let formatName = av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "unknown"
            throw MediaError.decodeFailed(name, reason: "cannot convert pixel format \(formatName) to RGB")
        }
        // Matrix from the frame (unspecified → BT.601, as FFmpeg assumes), output full-range RGB.
        let source = sws_getCoefficients(Int32(wanted.colorSpace))
        let destination = sws_getCoefficients(SWS_CS_DEFAULT)
        _ = sws_setColorspaceDetails(context, source, wanted.fullRange ? 1 : 0, destination, 1, 0, 1 << 16, 1 << 16)

        av_frame_free(&scratch)
        guard let picture = av_frame_alloc() else { throw MediaError.decodeFailed(name, reason: "out of memory") }
        picture.pointee.width = wanted.width
        picture.pointee.height = wanted.height
        picture.pointee.format = AV_PIX_FMT_RGB24.rawValue
        scratch = picture
        guard av_frame_get_buffer(picture, 0) >= 0 else { throw MediaError.decodeFailed(name, reason: "out of memory") }
        key = wanted
    }

    /// The deprecated full-range `yuvj*` formats as their plain twins plus a full-range flag.
    private static func unJPEG(_ format: AVPixelFormat) -> (AVPixelFormat, Bool) {
        switch format {
        case AV_PIX_FMT_YUVJ420P: return (AV_PIX_FMT_YUV420P, true)
        case AV_PIX_FMT_YUVJ422P: return (AV_PIX_FMT_YUV422P, true)
        case AV_PIX_FMT_YUVJ444P: return (AV_PIX_FMT_YUV444P, true)
        case AV_PIX_FMT_YUVJ440P: return (AV_PIX_FMT_YUV440P, true)
        case AV_PIX_FMT_YUVJ411P: return (AV_PIX_FMT_YUV411P, true)
        default: return (format, false)
        }
    }
}
