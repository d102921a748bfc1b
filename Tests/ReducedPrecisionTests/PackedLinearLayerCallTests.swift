import ReducedPrecision
import TensorKit
import TestSupport
import XCTest

/// Fused activations, residual accumulate, strided rows and changing token counts: each call
/// compared with float32 `DenseLayer` within the format's bound.
final class PackedLinearLayerCallTests: XCTestCase {
    private func bound(_ format: ReducedPrecisionFormat) -> Double {
        format == .bf16 ? PackedLinearLayerAccuracyTests.bf16RelativeRMSBound
            : PackedLinearLayerAccuracyTests.int8RelativeRMSBound
    }

    func testEveryActivationIsFusedCorrectly() throws {
        let context = try ReducedPrecisionContext(threadCount: 2)
        let problem = LinearProblem(rows: 37, inputSize: 768, outputSize: 3072, seed: 21)
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 768,
                                              outputSize: 3072, format: format)
            let linear = try layer(Tensor(shape: [37, 768], data: problem.input), context: context).data
            for activation in Activation.allCases where activation != .identity {
                let fused = try layer(Tensor(shape: [37, 768], data: problem.input), activation: activation,
                                      context: context).data
                let report = ErrorReport(fused, problem.float32Reference(activation: activation))
                XCTAssertLessThan(report.relativeRMS, bound(format), "\(format) \(activation): \(report)")
                // The activation is applied to this very product, not a re-computed one.
                let appliedAfterwards = linear.map { activation($0) }
                XCTAssertLessThan(ErrorReport(fused, appliedAfterwards).relativeMax, 1e-5, "\(format) \(activation)")
            }
        }
    }

    func testAccumulateAddsOntoTheOutput() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 37, inputSize: 3072, outputSize: 768, seed: 22)
        var generator = SplitMix64(seed: 23)
        let residual = (0..<(37 * 768)).map { _ in Float.random(in: -3...3, using: &generator) }
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 3072,
                                              outputSize: 768, format: format)
            for activation in [Activation.identity, .gelu] {
                var output = residual
                try problem.input.withUnsafeBufferPointer { input in
                    try output.withUnsafeMutableBufferPointer { out in
                        try layer.apply(input.baseAddress!, rows: 37, into: out.baseAddress!, activation: activation,
                                        accumulate: true, context: context)
                    }
                }
                let expected = zip(residual, problem.float32Reference(activation: activation)).map { $0 + $1 }
                let addedPart = zip(output, residual).map { $0 - $1 }
                let report = ErrorReport(addedPart, zip(expected, residual).map { $0 - $1 })
                XCTAssertLessThan(report.relativeRMS, bound(format), "\(format) accumulate \(activation): \(report)")
            }
        }
    }

    func testOneLayerServesChangingTokenCountsAndRepeatsItself() throws {
        let context = try ReducedPrecisionContext(threadCount: 2)
        for format in ReducedPrecisionFormat.available {
            let large = LinearProblem(rows: 577, inputSize: 768, outputSize: 768, seed: 31)
            let layer = try PackedLinearLayer(pytorchWeight: large.weight, bias: large.bias, inputSize: 768,
                                              outputSize: 768, format: format)
            var first37: [Float] = []
            for rows in [37, 1, 577, 485, 37] {
                let rowsOfLarge = Array(large.input.prefix(rows * 768))
                let result = try layer(Tensor(shape: [rows, 768], data: rowsOfLarge), context: context).data
                let reference = DenseLayer(pytorchWeight: large.weight, bias: large.bias, inputSize: 768, outputSize: 768)(
                    Tensor(shape: [rows, 768], data: rowsOfLarge)).data
                let report = ErrorReport(result, reference)
                XCTAssertLessThan(report.relativeRMS, bound(format), "\(format) \(rows) rows: \(report)")
                if rows == 37 {
                    if first37.isEmpty { first37 = result } else { XCTAssertEqual(result, first37, "\(format): 37 rows again") }
                }
            }
        }
    }

    func testStridedRowsReadAndWriteOnlyTheirColumns() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 37, inputSize: 64, outputSize: 96, seed: 41)
        let inputStride = 100, outputStride = 300, outputOffset = 96
        // The input sits in columns 0..<64 of a wider matrix whose other columns are garbage.
        var wideInput = [Float](repeating: 1e6, count: 37 * inputStride)
        for r in 0..<37 { for c in 0..<64 { wideInput[r * inputStride + c] = problem.input[r * 64 + c] } }
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                              outputSize: 96, format: format)
            for accumulate in [false, true] {
                var wideOutput = [Float](repeating: -7, count: 37 * outputStride)
                try wideInput.withUnsafeBufferPointer { input in
                    try wideOutput.withUnsafeMutableBufferPointer { output in
                        try layer.apply(input.baseAddress!, rows: 37, into: output.baseAddress! + outputOffset,
                                        accumulate: accumulate, inputStride: inputStride, outputStride: outputStride,
                                        context: context)
                    }
                }
                var written: [Float] = []
                for r in 0..<37 {
                    for c in 0..<outputStride {
                        let value = wideOutput[r * outputStride + c]
                        if (outputOffset..<(outputOffset + 96)).contains(c) {
                            written.append(accumulate ? value + 7 : value)
                        } else {
                            XCTAssertEqual(value, -7, "\(format): column \(c) of row \(r) outside the output was written")
                        }
                    }
                }
                let report = ErrorReport(written, problem.float32Reference())
                XCTAssertLessThan(report.relativeRMS, bound(format), "\(format) strided, accumulate \(accumulate): \(report)")
            }
        }
    }

    func testZeroRowsWritesNothing() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 1, inputSize: 64, outputSize: 32, seed: 51)
        let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                          outputSize: 32, format: .int8)
        let result = try layer(Tensor(shape: [0, 64]), context: context)
        XCTAssertEqual(result.shape, [0, 32])
    }

    func testAllZeroInputGivesTheBias() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 3, inputSize: 64, outputSize: 32, seed: 52)
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                              outputSize: 32, format: format)
            let result = try layer(Tensor(shape: [3, 64]), context: context).data
            XCTAssertEqual(result, problem.bias + problem.bias + problem.bias, "\(format)")
        }
    }

    /// Column scales multiply the output after the bias, before the activation and before a bf16
    /// output is rounded: the scaled layer equals the unscaled one times the scales.
    func testColumnScalesMultiplyTheOutputAfterTheBias() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 37, inputSize: 64, outputSize: 96, seed: 53)
        let scales = (0..<96).map { $0 < 32 ? Float(0.35355339) : 1 }
        for format in ReducedPrecisionFormat.available {
            let plain = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                              outputSize: 96, format: format)
            let scaled = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                               outputSize: 96, format: format, columnScales: scales)
            let input = Tensor(shape: [37, 64], data: problem.input)
            for activation in [Activation.identity, .quickGELU] {
                let expected = try plain(input, context: context).data.enumerated().map {
                    activation($1 * scales[$0 % 96])
                }
                let result = try scaled(input, activation: activation, context: context).data
                let report = ErrorReport(result, expected)
                XCTAssertLessThan(report.relativeMax, 1e-5, "\(format) \(activation): \(report)")
                guard ReducedPrecisionFormat.bf16.isAvailable else { continue }
                var bits = [UInt16](repeating: 0xFFFF, count: 37 * 96)
                try problem.input.withUnsafeBufferPointer { input in
                    try bits.withUnsafeMutableBufferPointer { output in
                        try scaled.apply(.float32(input.baseAddress!), rows: 37, into: .bf16(output.baseAddress!),
                                         activation: activation, context: context)
                    }
                }
                let distance = BF16Bits.distance(bits, result.map(BF16Bits.bits))
                XCTAssertLessThanOrEqual(distance.largest, 1, "\(format) \(activation) bf16 output: \(distance)")
            }
        }
    }
}
