/// Per-call (dynamic) asymmetric unsigned 8-bit quantization parameters for activations, as ONNX
/// Runtime's `quantize_dynamic` computes them: the value range `[min(x, 0), max(x, 0)]` is
/// mapped onto `0...255`, `x ≈ scale · (q - zeroPoint)`.
struct ActivationQuantization: Equatable {
    /// Size of one quantization step (1 when every value is 0).
    let scale: Float
    /// The code that represents 0.0, in `0...255`.
    let zeroPoint: Int32

    /// Parameters for the `[rows, columns]` matrix at `values` with row stride `rowStride`.
    /// Values must be finite: with an infinity or NaN in the input the output is meaningless
    /// (as the float32 product's would be non-finite).
    init(_ values: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int) {
        var lowest: Float = 0, highest: Float = 0
        for row in 0..<rows {
            let (low, high) = Self.range(values + row * rowStride, count: columns)
            lowest = min(lowest, low)
            highest = max(highest, high)
        }
        self.init(lowest: lowest, highest: highest)
    }

    /// Parameters for values in `[lowest, highest]` (widened to include 0).
    init(lowest: Float, highest: Float) {
        let low = min(lowest, 0), high = max(highest, 0)
        let range = high - low
        guard range > 0 else {
            self.scale = range.isNaN ? .nan : 1
            self.zeroPoint = 0
            return
        }
        let scale = range / 255
        self.scale = scale
        self.zeroPoint = Int32(max(0, min(255, (-low / scale).rounded(.toNearestOrEven))))
    }

    /// Smallest and largest of `count` values and 0, sixteen lanes at a time.
    private static func range(_ values: UnsafePointer<Float>, count: Int) -> (Float, Float) {
        var lowest = SIMD16<Float>(repeating: 0), highest = SIMD16<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(values)
        while i + 16 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            // `replacing(with:where:)` compiles to vector compare + blend; `pointwiseMin` here
            // measured 200× slower (scalarized).
            lowest = lowest.replacing(with: chunk, where: chunk .< lowest)
            highest = highest.replacing(with: chunk, where: chunk .> highest)
            i += 16
        }
        var low = lowest.min(), high = highest.max()
        while i < count {
            low = min(low, values[i])
            high = max(high, values[i])
            i += 1
        }
        return (low, high)
    }
}
