import TensorKit

extension LayerNorm {
    /// Normalises `rows` rows of `size` floats from `input` (`[rows, size]`, dense) into bf16 bit
    /// patterns at `output` (`[rows, size]`, dense, rounded to nearest, ties to even) on the calling
    /// thread, 16 lanes at a time: the input of a bf16 linear layer, written in the same pass as the
    /// normalisation instead of a float32 write and a conversion pass. Same formula as `apply` (mean,
    /// then mean squared deviation, then `(x · scale + shift) · gamma + beta`). For a workspace's
    /// threads see `apply(_:rows:intoBF16:workspace:)`.
    @_optimize(speed)
    func applyBF16(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<UInt16>) {
        let n = size, vectorEnd = size - size % 16
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                let gamma = UnsafeRawPointer(g.baseAddress!), beta = UnsafeRawPointer(b.baseAddress!)
                for row in 0..<rows {
                    let x = UnsafeRawPointer(input + row * n), y = UnsafeMutableRawPointer(output + row * n)
                    func lanes(_ base: UnsafeRawPointer, _ j: Int) -> SIMD16<Float> {
                        base.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
                    }
                    var sum = SIMD16<Float>(), tailSum: Float = 0
                    for j in stride(from: 0, to: vectorEnd, by: 16) { sum += lanes(x, j) }
                    for j in vectorEnd..<n { tailSum += input[row * n + j] }
                    let mean = (sum.sum() + tailSum) / Float(n)
                    var squares = SIMD16<Float>(), tailSquares: Float = 0
                    for j in stride(from: 0, to: vectorEnd, by: 16) {
                        let d = lanes(x, j) - mean
                        squares += d * d
                    }
                    for j in vectorEnd..<n {
                        let d = input[row * n + j] - mean
                        tailSquares += d * d
                    }
                    let variance = (squares.sum() + tailSquares) / Float(n)
                    let scale = 1 / (variance + epsilon).squareRoot(), shift = -mean * scale
                    for j in stride(from: 0, to: vectorEnd, by: 16) {
                        let value = (lanes(x, j) * scale + shift) * lanes(gamma, j) + lanes(beta, j)
                        y.storeBytes(of: Self.bf16(value), toByteOffset: j * 2, as: SIMD16<UInt16>.self)
                    }
                    for j in vectorEnd..<n {
                        let value = (input[row * n + j] * scale + shift) * g[j] + b[j]
                        output[row * n + j] = Self.bf16(SIMD16(repeating: value))[0]
                    }
                }
            }
        }
    }

    /// `values` rounded to bf16 (nearest, ties to even; finite values).
    @inline(__always)
    private static func bf16(_ values: SIMD16<Float>) -> SIMD16<UInt16> {
        let bits = unsafeBitCast(values, to: SIMD16<UInt32>.self)
        let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
        return SIMD16<UInt16>(truncatingIfNeeded: rounded)
    }
}
