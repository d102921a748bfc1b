import Foundation
import TensorKit

/// Pillow's convolution resampling (`Image.resize` with BOX, BILINEAR, HAMMING, BICUBIC or LANCZOS)
/// of 8-bit RGB, reimplemented so resized pixels are identical to Pillow's: two separable passes
/// (horizontal, then vertical on the 8-bit intermediate), filter support widened by the scale when
/// shrinking (antialiasing), coefficients normalised per output pixel and quantised to 22-bit fixed
/// point, rounding by a half-unit bias and clipping to 0…255.
public enum PILResample {
    /// A Pillow resampling filter.
    public enum Filter: Sendable, Equatable {
        case box, bilinear, hamming, bicubic, lanczos

        /// The filter for Pillow's `Image.Resampling` number (`resample` in preprocessor configs);
        /// nil for NEAREST (0) and unknown numbers.
        public init?(pilCode: Int) {
            switch pilCode {
            case 1: self = .lanczos
            case 2: self = .bilinear
            case 3: self = .bicubic
            case 4: self = .box
            case 5: self = .hamming
            default: return nil
            }
        }

        /// Half-width of the kernel at scale 1.
        var support: Double {
            switch self {
            case .box: return 0.5
            case .bilinear, .hamming: return 1
            case .bicubic: return 2
            case .lanczos: return 3
            }
        }

        func weight(_ t: Double) -> Double {
            switch self {
            case .box:
                return t > -0.5 && t <= 0.5 ? 1 : 0
            case .bilinear:
                let x = abs(t)
                return x < 1 ? 1 - x : 0
            case .hamming:
                let x = abs(t)
                if x == 0 { return 1 }
                if x >= 1 { return 0 }
                let px = x * Double.pi
                // Pillow writes the constants as C floats.
                return sin(px) / px * (Double(Float(0.54)) + Double(Float(0.46)) * cos(px))
            case .bicubic:
                let a = -0.5, x = abs(t)
                if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
                if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0
            case .lanczos:
                guard t >= -3, t < 3 else { return 0 }
                return Self.sinc(t) * Self.sinc(t / 3)
            }
        }

        private static func sinc(_ t: Double) -> Double {
            if t == 0 { return 1 }
            let x = t * Double.pi
            return sin(x) / x
        }
    }

    /// Fixed-point fraction bits of the quantised coefficients (Pillow's `PRECISION_BITS`).
    static let precisionBits = 32 - 8 - 2

    /// Per-output-pixel source window and fixed-point weights along one axis.
    struct AxisCoefficients {
        var first: [Int]
        var count: [Int]
        /// `[outputSize, stride]`.
        var weights: [Int32]
        var stride: Int
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the whole input range.
    static func coefficients(inputSize: Int, outputSize: Int, filter: Filter) -> AxisCoefficients {
        let scale = Double(Float(inputSize) - 0) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var result = AxisCoefficients(first: [], count: [], weights: [Int32](repeating: 0, count: outputSize * stride),
                                      stride: stride)
        var k = [Double](repeating: 0, count: stride)
        for xx in 0..<outputSize {
            let center = (Double(xx) + 0.5) * scale
            let inverse = 1 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)  // C truncation, then clamp
            let xmax = min(Int(center + support + 0.5), inputSize) - xmin
            var total = 0.0
            for x in 0..<max(xmax, 0) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverse)
                k[x] = w
                total += w
            }
            for x in 0..<max(xmax, 0) {
                if total != 0 { k[x] /= total }
                let fixed = k[x] * Double(1 << precisionBits)
                result.weights[xx * stride + x] = Int32(k[x] < 0 ? (-0.5 + fixed) : (0.5 + fixed))
            }
            result.first.append(xmin)
            result.count.append(max(xmax, 0))
        }
        return result
    }

    @inline(__always)
    static func clip8(_ sum: Int) -> UInt8 {
        let v = sum >> precisionBits
        return v < 0 ? 0 : (v > 255 ? 255 : UInt8(v))
    }

    /// Resizes packed RGB24 pixels (`width * height * 3` bytes, rows top first) to
    /// `toWidth × toHeight` exactly as Pillow 13's `Image.resize((toWidth, toHeight), filter)` does,
    /// each pass split by rows over `threads` threads (the same bytes whatever the count).
    ///
    /// Pass order follows Pillow 13 (python-pillow/Pillow#9549): horizontal first, except when the
    /// height shrinks by more than twice what the width shrinks (`2·(w − W) < h − H`), which runs
    /// the vertical pass first. The order changes rounding of the 8-bit intermediate.
    public static func resize(rgb: [UInt8], width: Int, height: Int, toWidth: Int, toHeight: Int,
                              filter: Filter, threads: Int = 1) -> [UInt8] {
        precondition(rgb.count == width * height * 3 && width > 0 && height > 0 && toWidth > 0 && toHeight > 0,
                     "resize needs \(width)×\(height) RGB bytes and a positive target")
        let needHorizontal = toWidth != width, needVertical = toHeight != height
        guard needHorizontal || needVertical else { return rgb }
        let vertical = coefficients(inputSize: height, outputSize: toHeight, filter: filter)
        let horizontal = coefficients(inputSize: width, outputSize: toWidth, filter: filter)
        let verticalFirst = toHeight < height && 2 * (width - toWidth) < height - toHeight
        if verticalFirst {
            let shrunk = verticalPass(rgb, width: width, coefficients: vertical, rowOffset: 0, threads: threads)
            return needHorizontal ? horizontalPass(shrunk, width: width, rows: 0..<toHeight, coefficients: horizontal,
                                                   threads: threads)
                                  : shrunk
        }
        guard needHorizontal else {
            return verticalPass(rgb, width: width, coefficients: vertical, rowOffset: 0, threads: threads)
        }
        // Only the source rows the vertical pass will read.
        let firstRow = needVertical ? vertical.first[0] : 0
        let lastRow = needVertical ? vertical.first[toHeight - 1] + vertical.count[toHeight - 1] : height
        let widened = horizontalPass(rgb, width: width, rows: firstRow..<lastRow, coefficients: horizontal, threads: threads)
        return needVertical ? verticalPass(widened, width: toWidth, coefficients: vertical, rowOffset: firstRow,
                                           threads: threads)
                            : widened
    }

    /// `rows` output rows computed by `row(y, output)`, in near-equal row blocks over `threads` threads.
    private static func rowsInParallel(_ rows: Int, rowBytes: Int, threads: Int,
                                       _ row: (Int, UnsafeMutablePointer<UInt8>) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: rows * rowBytes) { output, initialized in
            let base = output.baseAddress!
            let chunks = max(1, min(threads, rows))
            ParallelLoop.run(chunks: chunks, threads: chunks) { chunk in
                for y in ParallelLoop.piece(chunk, of: chunks, 0..<rows) { row(y, base + y * rowBytes) }
            }
            initialized = rows * rowBytes
        }
    }

    /// Resamples `rows` of an RGB24 image of `width` columns along x; returns `rows.count` rows.
    private static func horizontalPass(_ source: [UInt8], width: Int, rows: Range<Int>,
                                       coefficients c: AxisCoefficients, threads: Int) -> [UInt8] {
        let half = 1 << (precisionBits - 1), outWidth = c.first.count
        return source.withUnsafeBufferPointer { source in
            c.weights.withUnsafeBufferPointer { weights in
                rowsInParallel(rows.count, rowBytes: outWidth * 3, threads: threads) { index, output in
                    let row = source.baseAddress! + (rows.lowerBound + index) * width * 3
                    for xx in 0..<outWidth {
                        let n = c.count[xx], k = weights.baseAddress! + xx * c.stride
                        var pixel = row + c.first[xx] * 3
                        var r = half, g = half, b = half
                        for x in 0..<n {
                            let weight = Int(k[x])
                            r += Int(pixel[0]) * weight
                            g += Int(pixel[1]) * weight
                            b += Int(pixel[2]) * weight
                            pixel += 3
                        }
                        output[xx * 3] = clip8(r)
                        output[xx * 3 + 1] = clip8(g)
                        output[xx * 3 + 2] = clip8(b)
                    }
                }
            }
        }
    }

    /// Resamples an RGB24 image of `width` columns along y; `source` row 0 is input row `rowOffset`.
    private static func verticalPass(_ source: [UInt8], width: Int, coefficients c: AxisCoefficients,
                                     rowOffset: Int, threads: Int) -> [UInt8] {
        let half = 1 << (precisionBits - 1), rowBytes = width * 3
        return source.withUnsafeBufferPointer { source in
            c.weights.withUnsafeBufferPointer { weights in
                rowsInParallel(c.first.count, rowBytes: rowBytes, threads: threads) { yy, output in
                    let top = source.baseAddress! + (c.first[yy] - rowOffset) * rowBytes
                    let n = c.count[yy], k = weights.baseAddress! + yy * c.stride
                    for i in 0..<rowBytes {
                        var s = half
                        for y in 0..<n { s += Int(top[y * rowBytes + i]) * Int(k[y]) }
                        output[i] = clip8(s)
                    }
                }
            }
        }
    }
}
