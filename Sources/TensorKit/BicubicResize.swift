/// Bicubic resampling that reproduces PyTorch's
/// `interpolate(mode="bicubic", align_corners=False)` on CPU in float32: Keys' cubic convolution
/// with `a = −0.75`, source coordinate `(dst + 0.5) · in/out − 0.5`, sample indices clamped to
/// the border, each output summed along x first (4 taps), then over the 4 rows.
///
/// The per-axis weights match PyTorch's bit for bit (including where its compiled kernel fuses a
/// multiply-add); the sums agree to float rounding (a few ulps of the largest term), because
/// PyTorch's vectorised accumulation order cannot be reproduced exactly.
public enum BicubicResize {
    /// Resizes a channels-last image `[height, width, channels]` to `[toHeight, toWidth, channels]`.
    public static func resize(_ input: [Float], height: Int, width: Int, channels: Int,
                              toHeight: Int, toWidth: Int) -> [Float] {
        precondition(input.count == height * width * channels, "bicubic input is not \(height)×\(width)×\(channels)")
        precondition(height > 0 && width > 0 && toHeight > 0 && toWidth > 0, "bicubic sizes must be positive")
        let rows = taps(inputSize: height, outputSize: toHeight)
        let columns = taps(inputSize: width, outputSize: toWidth)
        var output = [Float](repeating: 0, count: toHeight * toWidth * channels)
        var rowSums = [Float](repeating: 0, count: 4 * channels)
        for oy in 0..<toHeight {
            let ry = rows[oy]
            for ox in 0..<toWidth {
                let rx = columns[ox]
                for j in 0..<4 {
                    let line = ry.indices[j] * width
                    for c in 0..<channels {
                        var sum = input[(line + rx.indices[0]) * channels + c] * rx.weights[0]
                        for i in 1..<4 {
                            sum = sum.addingProduct(input[(line + rx.indices[i]) * channels + c], rx.weights[i])
                        }
                        rowSums[j * channels + c] = sum
                    }
                }
                let out = (oy * toWidth + ox) * channels
                for c in 0..<channels {
                    var sum = rowSums[c] * ry.weights[0]
                    for j in 1..<4 { sum = sum.addingProduct(rowSums[j * channels + c], ry.weights[j]) }
                    output[out + c] = sum
                }
            }
        }
        return output
    }

    /// Source taps for every output index along one axis, computed in float as PyTorch does.
    static func taps(inputSize: Int, outputSize: Int) -> [(indices: [Int], weights: [Float])] {
        let scale = Float(inputSize) / Float(outputSize)
        return (0..<outputSize).map { dst in
            // Fused as PyTorch's compiled kernel does: fma(scale, dst + 0.5, -0.5).
            let real = (-0.5 as Float).addingProduct(scale, Float(dst) + 0.5)
            let floorIndex = real.rounded(.down)
            let t = real - floorIndex
            let a: Float = -0.75
            func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            // ((a·x − 5a)·x + 8a)·x − 4a with the middle multiply-add fused, as in PyTorch's build.
            func far(_ x: Float) -> Float { (8 * a).addingProduct(a * x - 5 * a, x) * x - 4 * a }
            let weights = [far(t + 1), near(t), near(1 - t), far(1 - t + 1)]
            let base = Int(floorIndex)
            let indices = (0..<4).map { min(max(base - 1 + $0, 0), inputSize - 1) }
            return (indices, weights)
        }
    }
}
