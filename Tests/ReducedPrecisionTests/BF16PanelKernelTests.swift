import Foundation
import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// bf16 `PackedLinearLayer`s on AVX512-BF16 CPUs run the panel kernel (`clipseg_bf16_gemm`): checked
/// against the layer computed in Double from the same bf16 operands, on shapes around its 8-row tiles,
/// 48-column panels and 16-column vectors, with strided rows, bias, column scales, the activations it
/// computes, residual adds, bf16 output and 1–3 threads; GELU (which it leaves to oneDNN, whose weights
/// are then packed from the panels) must agree too.
///
/// Bound: the float32 sums of exact bf16 products differ from Double by at most ≈ k · 2⁻²⁴ · Σ|x·w|; the
/// test allows `1e-5 · (Σ|x·w| + |b|) · |scale|` (k ≤ 200 here) plus 1e-6 of the residual.
final class BF16PanelKernelTests: XCTestCase {
    func testMatchesDoubleOnTileEdges() throws {
        let probe = try PackedLinearLayer(pytorchWeight: [0, 0], bias: nil, inputSize: 2, outputSize: 1, format: .bf16)
        guard probe.packedWeightBytes == 48 * 4 else { throw XCTSkip("no bf16 panel kernel on this CPU") }
        for (rows, inputs, outputs) in [(1, 2, 1), (7, 16, 17), (13, 64, 47), (9, 96, 49), (17, 200, 100)] {
            var generator = SplitMix64(seed: UInt64(rows * 100_000 + inputs * 1000 + outputs))
            let weight = (0..<(inputs * outputs)).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
            let bias = (0..<outputs).map { _ in Float.random(in: -1...1, using: &generator) }
            let scales = (0..<outputs).map { _ in Float.random(in: 0.25...2, using: &generator) }
            let (inputStride, outputStride) = (inputs + 3, outputs + 5)
            let input = (0..<(rows * inputStride)).map { _ in BF16Bits.bits(Float.random(in: -2...2, using: &generator)) }
            let residual = (0..<(rows * outputStride)).map { _ in
                SchemeEmulation.bfloat16(Float.random(in: -3...3, using: &generator))
            }
            for (withBias, withScales) in [(true, false), (false, true)] {
                let layer = try PackedLinearLayer(pytorchWeight: weight, bias: withBias ? bias : nil, inputSize: inputs,
                                                  outputSize: outputs, format: .bf16,
                                                  columnScales: withScales ? scales : nil)
                for activation in [Activation.identity, .relu, .quickGELU, .gelu] {
                    for accumulate in [false, true] {
                        let shape = "\(rows)×\(inputs)→\(outputs) bias \(withBias) scales \(withScales) \(activation) "
                            + "accumulate \(accumulate)"
                        var first: [Float]?
                        for threads in [1, 2, 3] {
                            let context = try ReducedPrecisionContext(threadCount: threads)
                            var output = residual
                            try input.withUnsafeBufferPointer { x in
                                try output.withUnsafeMutableBufferPointer { y in
                                    try layer.apply(.bf16(x.baseAddress!), rows: rows, into: .float32(y.baseAddress!),
                                                    activation: activation, accumulate: accumulate, inputStride: inputStride,
                                                    outputStride: outputStride, context: context)
                                }
                            }
                            if let first {
                                XCTAssertEqual(output, first, "\(shape): \(threads) threads differ from 1")
                                continue
                            }
                            first = output
                            for row in 0..<rows {
                                for column in 0..<outputStride {
                                    let index = row * outputStride + column
                                    guard column < outputs else {
                                        XCTAssertEqual(output[index], residual[index], "\(shape): wrote padding")
                                        continue
                                    }
                                    var sum = 0.0, magnitude = 0.0
                                    for k in 0..<inputs {
                                        let product = Double(BF16Bits.float(input[row * inputStride + k]))
                                            * Double(SchemeEmulation.bfloat16(weight[column * inputs + k]))
                                        sum += product
                                        magnitude += abs(product)
                                    }
                                    let b = withBias ? Double(bias[column]) : 0, s = withScales ? Double(scales[column]) : 1
                                    var expected = Self.activate(activation, (sum + b) * s)
                                    if accumulate { expected += Double(residual[index]) }
                                    let allowed = 1e-5 * (magnitude + abs(b)) * s + 1e-6 * abs(Double(residual[index]))
                                    XCTAssertLessThanOrEqual(abs(Double(output[index]) - expected), allowed,
                                                             "\(shape): row \(row) column \(column)")
                                }
                            }
                        }
                        guard activation != .gelu, let first else { continue }
                        // bf16 output (dense): the float32 result rounded to nearest (the residual is bf16-representable).
                        let dense = { (rows: [Float]) in (0..<rows.count).filter { $0 % outputStride < outputs }.map { rows[$0] } }
                        var bits = dense(residual).map(BF16Bits.bits)
                        try input.withUnsafeBufferPointer { x in
                            try bits.withUnsafeMutableBufferPointer { y in
                                try layer.apply(.bf16(x.baseAddress!), rows: rows, into: .bf16(y.baseAddress!),
                                                activation: activation, accumulate: accumulate, inputStride: inputStride,
                                                context: try ReducedPrecisionContext(threadCount: 2))
                            }
                        }
                        XCTAssertEqual(bits, dense(first).map(BF16Bits.bits), "\(shape): bf16 output")
                    }
                }
            }
        }
    }

    static func activate(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .identity: x
        case .relu: max(x, 0)
        case .quickGELU: x / (1 + Foundation.exp(-1.702 * x))
        case .gelu: 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
        case .geluTanh: 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
        }
    }
}
