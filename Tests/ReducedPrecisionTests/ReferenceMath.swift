import Foundation
import TensorKit
import TestSupport

/// A linear layer's random operands, shaped like a transformer's: activations uniform in
/// [-2, 2] with a shifted mean, weights uniform in ±1/√in (PyTorch's default init), bias in ±0.5.
struct LinearProblem {
    let rows: Int, inputSize: Int, outputSize: Int
    /// `[rows, inputSize]`.
    let input: [Float]
    /// `[outputSize, inputSize]` (PyTorch layout).
    let weight: [Float]
    let bias: [Float]

    init(rows: Int, inputSize: Int, outputSize: Int, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        self.rows = rows
        self.inputSize = inputSize
        self.outputSize = outputSize
        input = (0..<(rows * inputSize)).map { _ in Float.random(in: -2...2, using: &generator) + 0.3 }
        let bound = 1 / Float(inputSize).squareRoot()
        weight = (0..<(inputSize * outputSize)).map { _ in Float.random(in: -bound...bound, using: &generator) }
        bias = (0..<outputSize).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
    }

    /// The float32 answer from TensorKit's `DenseLayer` (OpenBLAS `cblas_sgemm`), optionally on
    /// substituted operands (e.g. rounded to bf16 first).
    func float32Reference(activation: Activation = .identity, input: [Float]? = nil, weight: [Float]? = nil) -> [Float] {
        let layer = DenseLayer(pytorchWeight: weight ?? self.weight, bias: bias, inputSize: inputSize, outputSize: outputSize)
        return layer(Tensor(shape: [rows, inputSize], data: input ?? self.input), activation: activation).data
    }
}

/// How far `actual` is from `expected`.
struct ErrorReport: CustomStringConvertible {
    /// `‖actual − expected‖₂ / ‖expected‖₂`.
    let relativeRMS: Double
    /// `max |actual − expected| / max |expected|`; NaN when either side holds a NaN, so no bound passes it.
    let relativeMax: Double

    init(_ actual: [Float], _ expected: [Float]) {
        precondition(actual.count == expected.count)
        var squaredError = 0.0, squaredReference = 0.0, largestError = 0.0, largestReference = 0.0
        for (a, e) in zip(actual, expected) {
            let difference = Double(a) - Double(e)
            squaredError += difference * difference
            squaredReference += Double(e) * Double(e)
            largestError = maxKeepingNaN(largestError, abs(difference))
            largestReference = maxKeepingNaN(largestReference, abs(Double(e)))
        }
        relativeRMS = (squaredError / max(squaredReference, .leastNormalMagnitude)).squareRoot()
        relativeMax = largestError / max(largestReference, .leastNormalMagnitude)
    }

    var description: String {
        String(format: "relative RMS %.2e, relative max %.2e", relativeRMS, relativeMax)
    }
}

/// The reduced-precision schemes emulated in float32, to check the oneDNN results exactly
/// (up to float32 summation order) rather than only against the float32 answer.
enum SchemeEmulation {
    /// `value` rounded to the nearest bfloat16 (ties to even), back in float32.
    static func bfloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }

    /// Weights quantized symmetric per output row (`max|w| / largestCode`), dequantized.
    static func int8Weights(_ weight: [Float], inputSize: Int, outputSize: Int, largestCode: Int) -> [Float] {
        let limit = Float(largestCode)
        var result = weight
        for o in 0..<outputSize {
            let row = weight[(o * inputSize)..<((o + 1) * inputSize)]
            let largest = row.map(abs).max() ?? 0
            let scale = largest > 0 ? largest / limit : 1
            let inverse = 1 / scale  // multiplied, as the library does: dividing differs in the last bit
            for i in 0..<inputSize {
                let code = max(-limit, min(limit, (weight[o * inputSize + i] * inverse).rounded(.toNearestOrEven)))
                result[o * inputSize + i] = code * scale
            }
        }
        return result
    }

    /// Activations quantized to u8 over `[min(x,0), max(x,0)]` with a zero point, dequantized.
    static func uint8Activations(_ input: [Float]) -> [Float] {
        let low = min(input.min() ?? 0, 0), high = max(input.max() ?? 0, 0)
        guard high > low else { return input }
        let scale = (high - low) / 255
        let zeroPoint = max(0, min(255, (-low / scale).rounded(.toNearestOrEven)))
        let inverse = 1 / scale
        return input.map { x in
            let code = max(0, min(255, (x * inverse + zeroPoint).rounded(.toNearestOrEven)))
            return (code - zeroPoint) * scale
        }
    }
}
