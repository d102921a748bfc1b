import TensorKit

/// Turns an 8-bit RGB image into the model's `pixel_values` exactly as transformers'
/// `ViTImageProcessor` (PIL backend) does: Pillow-identical resize of the uint8 image, then
/// `float32(float64(v) · rescale_factor)`, then `(x − mean[c]) / std[c]` in float32.
public struct ImagePreprocessor: Sendable {
    public let configuration: PreprocessorConfiguration
    /// `[3][256]`: the float value of each byte value in each channel after rescale and normalise.
    private let lookup: [[Float]]

    public init(configuration: PreprocessorConfiguration) {
        self.configuration = configuration
        lookup = (0..<3).map { channel in
            (0..<256).map { byte in
                var x = configuration.doRescale ? Float(Double(byte) * configuration.rescaleFactor) : Float(byte)
                if configuration.doNormalize {
                    x = (x - Float(configuration.imageMean[channel])) / Float(configuration.imageStd[channel])
                }
                return x
            }
        }
    }

    /// Output `(height, width)` for an input of the given size.
    public func outputSize(width: Int, height: Int) -> (height: Int, width: Int) {
        configuration.resizedSize(height: height, width: width)
    }

    /// `pixel_values` `[3, H, W]` (channels first) for packed RGB24 `rgb` of `width × height`
    /// (`width * height * 3` bytes, rows top first).
    public func pixelValues(rgb: [UInt8], width: Int, height: Int) throws -> Tensor {
        var values = Tensor(shape: [0])
        try pixelValues(rgb: rgb, width: width, height: height, into: &values)
        return values
    }

    /// As `pixelValues(rgb:width:height:)`, written into `values`: its storage is reused when it is
    /// uniquely referenced and already holds `3 · H · W` floats (a frame pipeline's pooled buffer),
    /// otherwise it is replaced. On error `values` is left as it was. The resize and the conversion
    /// are split by rows over `threads` threads (the same values whatever the count).
    public func pixelValues(rgb: [UInt8], width: Int, height: Int, into values: inout Tensor, threads: Int = 1) throws {
        guard width > 0, height > 0 else { throw CLIPSegError.invalidInput("image is \(width)×\(height), expected a positive size") }
        guard rgb.count == width * height * 3 else {
            throw CLIPSegError.invalidInput("image of \(width)×\(height) needs \(width * height * 3) RGB bytes, got \(rgb.count)")
        }
        let (outHeight, outWidth) = outputSize(width: width, height: height)
        guard outHeight > 0, outWidth > 0 else {
            throw CLIPSegError.invalidInput("image of \(width)×\(height) resizes to an empty \(outWidth)×\(outHeight) image")
        }
        var resized = rgb
        if configuration.doResize, let filter = configuration.filter {
            resized = PILResample.resize(rgb: rgb, width: width, height: height, toWidth: outWidth, toHeight: outHeight,
                                         filter: filter, threads: threads)
        }
        let plane = outHeight * outWidth
        if values.data.count == 3 * plane {
            values.shape = [3, outHeight, outWidth]
        } else {
            values = Tensor(shape: [3, outHeight, outWidth])
        }
        let chunks = max(1, min(threads, outHeight))
        resized.withUnsafeBufferPointer { resized in
            values.data.withUnsafeMutableBufferPointer { out in
                let source = resized.baseAddress!, target = out.baseAddress!
                ParallelLoop.run(chunks: chunks, threads: chunks) { chunk in
                    let rows = ParallelLoop.piece(chunk, of: chunks, 0..<outHeight)
                    for c in 0..<3 {
                        lookup[c].withUnsafeBufferPointer { table in
                            for p in (rows.lowerBound * outWidth)..<(rows.upperBound * outWidth) {
                                target[c * plane + p] = table[Int(source[p * 3 + c])]
                            }
                        }
                    }
                }
            }
        }
    }
}
