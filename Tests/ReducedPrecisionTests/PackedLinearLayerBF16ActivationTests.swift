import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// `PackedLinearLayer` with bf16 input or output: a bf16 input gives exactly what the same values
/// in float32 give (the float32 call rounds them to bf16 itself), and a bf16 output is the float32
/// output rounded to bf16 after bias and activation (within one ulp: the kernel writing bf16 may
/// sum in another order than the one writing float32).
final class PackedLinearLayerBF16ActivationTests: XCTestCase {
    /// Input values that bf16 represents exactly, as float32 and as bf16 bit patterns.
    private func bf16Input(_ problem: LinearProblem) -> (float32: [Float], bits: [UInt16]) {
        let rounded = problem.input.map(SchemeEmulation.bfloat16)
        return (rounded, rounded.map(BF16Bits.bits))
    }

    func testBF16InputEqualsTheSameValuesInFloat32() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else { throw XCTSkip("no bf16 matmul on this CPU") }
        let context = try ReducedPrecisionContext(threadCount: 2)
        let problem = LinearProblem(rows: 37, inputSize: 3072, outputSize: 768, seed: 61)
        let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 3072,
                                          outputSize: 768, format: .bf16)
        let (values, bits) = bf16Input(problem)
        var generator = SplitMix64(seed: 62)
        let residual = (0..<(37 * 768)).map { _ in Float.random(in: -3...3, using: &generator) }
        for accumulate in [false, true] {
            var fromFloat = residual, fromBF16 = residual
            try values.withUnsafeBufferPointer { input in
                try layer.apply(input.baseAddress!, rows: 37, into: &fromFloat, accumulate: accumulate, context: context)
            }
            try bits.withUnsafeBufferPointer { input in
                try fromBF16.withUnsafeMutableBufferPointer { output in
                    try layer.apply(.bf16(input.baseAddress!), rows: 37, into: .float32(output.baseAddress!),
                                    accumulate: accumulate, context: context)
                }
            }
            XCTAssertTrue(fromBF16 == fromFloat, "bf16 input differs from float32 input, accumulate \(accumulate): "
                          + "\(ErrorReport(fromBF16, fromFloat))")
        }
        XCTAssertNotEqual(values, problem.input, "the input was bf16-representable already: nothing tested")
    }

    func testBF16OutputIsTheFloat32OutputRounded() throws {
        // bf16 activations are for CPUs with bf16 matmuls (AVX-512); there int8 layers may write bf16 too.
        guard ReducedPrecisionFormat.bf16.isAvailable else { throw XCTSkip("no bf16 matmul on this CPU") }
        let context = try ReducedPrecisionContext(threadCount: 2)
        let problem = LinearProblem(rows: 37, inputSize: 768, outputSize: 3072, seed: 63)
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 768,
                                              outputSize: 3072, format: format)
            for activation in [Activation.identity, .quickGELU] {
                let expected = try layer(Tensor(shape: [37, 768], data: problem.input), activation: activation,
                                         context: context).data.map(BF16Bits.bits)
                var bits = [UInt16](repeating: 0xFFFF, count: 37 * 3072)
                try problem.input.withUnsafeBufferPointer { input in
                    try bits.withUnsafeMutableBufferPointer { output in
                        try layer.apply(.float32(input.baseAddress!), rows: 37, into: .bf16(output.baseAddress!),
                                        activation: activation, context: context)
                    }
                }
                let distance = BF16Bits.distance(bits, expected)
                XCTAssertLessThanOrEqual(distance.largest, 1, "\(format) \(activation): \(distance)")
                print("\(format) \(activation) bf16 output vs float32 rounded: \(distance.differing) of \(bits.count) "
                      + "differ, by ≤ \(distance.largest) ulp")
            }
        }
    }

    func testBF16InputToBF16OutputChainsBothConversions() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else { throw XCTSkip("no bf16 matmul on this CPU") }
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 5, inputSize: 64, outputSize: 96, seed: 64)
        let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                          outputSize: 96, format: .bf16)
        let (values, bits) = bf16Input(problem)
        let expected = try layer(Tensor(shape: [5, 64], data: values), activation: .gelu, context: context).data
            .map(BF16Bits.bits)
        var output = [UInt16](repeating: 0xFFFF, count: 5 * 96)
        try bits.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { output in
                try layer.apply(.bf16(input.baseAddress!), rows: 5, into: .bf16(output.baseAddress!), activation: .gelu,
                                context: context)
            }
        }
        let distance = BF16Bits.distance(output, expected)
        XCTAssertLessThanOrEqual(distance.largest, 1, "bf16 → bf16: \(distance)")
    }
}
