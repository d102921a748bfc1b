/// Symmetric signed 8-bit quantization of a weight matrix with one scale per output channel:
/// `w[o, i] ≈ scale[o] · q[o, i]`, `scale[o] = max_i |w[o, i]| / L`, `q ∈ [-L, L]` rounded to
/// nearest (`w · (1 / scale)`). A channel of zeros gets scale 1 (all its codes are 0).
///
/// `L` is 127 where oneDNN multiplies with VNNI (`vpdpbusd` sums u8·s8 products exactly) and 63
/// elsewhere: without VNNI the kernels use `vpmaddubsw`, which adds two u8·s8 products in a
/// saturating int16 (255·127·2 > 32767 would clip); 7-bit weights keep that sum in range. This is
/// ONNX Runtime's `reduce_range` for the same reason.
struct WeightQuantization {
    /// The largest code for this process's oneDNN instruction set (see above).
    static var largestCode: Int { OneDNNRuntime.hasVNNI ? 127 : 63 }

    /// `[outputSize, inputSize]` row-major codes (PyTorch's layout).
    let codes: [Int8]
    /// `[outputSize]` dequantization scales.
    let scales: [Float]

    /// Quantizes `weight`, `[outputSize, inputSize]` row-major.
    init(pytorchWeight weight: UnsafeBufferPointer<Float>, inputSize: Int, outputSize: Int,
         largestCode: Int = WeightQuantization.largestCode) {
        precondition(weight.count == inputSize * outputSize, "weight holds \(weight.count) values, expected \(outputSize)×\(inputSize)")
        var scales = [Float](repeating: 1, count: outputSize)
        var codes = [Int8](repeating: 0, count: weight.count)
        for output in 0..<outputSize {
            let row = UnsafeBufferPointer(rebasing: weight[(output * inputSize)..<((output + 1) * inputSize)])
            var largest: Float = 0
            for value in row { largest = max(largest, abs(value)) }
            let limit = Float(largestCode)
            let scale = largest > 0 ? largest / limit : 1
            scales[output] = scale
            let inverse = 1 / scale
            for (i, value) in row.enumerated() {
                let code = (value * inverse).rounded(.toNearestOrEven)
                codes[output * inputSize + i] = Int8(max(-limit, min(limit, code)))
            }
        }
        self.codes = codes
        self.scales = scales
    }
}
