import CFFmpeg

/// Encodes packed pictures (RGB24, RGBA or gray8) of one fixed size into complete PNG files in memory,
/// with libavcodec's PNG encoder. Internal; reused across frames by the PNG writers.
final class PNGEncoder {
    let width: Int
    let height: Int
    let bytesPerPixel: Int
    private let name: String
    private let codec: StillPictureCodec

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
        codec = try StillPictureCodec(AV_CODEC_ID_PNG, codecName: "png", kind: "PNG", width: width, height: height,
                                      format: format, name: name)
    }

    /// One PNG file holding `pixels` (`height` rows of `width * bytesPerPixel` bytes, top row first).
    func encode(_ pixels: [UInt8]) throws -> [UInt8] {
        let rowBytes = width * bytesPerPixel
        guard pixels.count == rowBytes * height else {
            throw MediaError.invalidFrame(name, reason: "expected \(rowBytes * height) bytes for a \(width)x\(height) picture, got \(pixels.count)")
        }
        return try codec.encode { frame in
            guard let base = frame.pointee.data.0 else { throw MediaError.writeFailed(name, reason: "out of memory") }
            let stride = Int(frame.pointee.linesize.0)
            pixels.withUnsafeBufferPointer { source in
                for row in 0..<height {
                    (base + row * stride).update(from: source.baseAddress! + row * rowBytes, count: rowBytes)
                }
            }
        }
    }
}
