@testable import ReducedPrecision
import TensorKit
import XCTest

/// bf16 and int8 layers against float32 `cblas_sgemm` (through TensorKit's `DenseLayer`) and
/// against the same scheme emulated in float32, on the model's sizes and odd ones.
final class PackedLinearLayerAccuracyTests: XCTestCase {
    /// (tokens, in, out): 352 px ViT-B/16 rows are 485, 224 px ones 197; 577 is 24×24+1.
    static let shapes: [(Int, Int, Int)] = [(1, 768, 3072), (37, 64, 768), (577, 3072, 768), (37, 768, 64),
                                            (485, 768, 2304), (37, 67, 101)]

    /// Bound on bf16's error vs float32: operands carry 8 significant bits (relative rounding
    /// error ≤ 2⁻⁹ ≈ 2e-3 each), sums of random-signed terms stay near that.
    static let bf16RelativeRMSBound = 1e-2
    /// Bound on int8's error vs float32 for this data: activation steps are range/255 over
    /// [-1.7, 2.3] (≈ 1.6e-2), weight steps max|w|/127 per channel; on uniform data that is
    /// ≈ 0.6–0.8 % relative RMS.
    static let int8RelativeRMSBound = 2e-2
    /// Against its own scheme emulated in float32 (same rounding of every operand) only the
    /// summation order differs. One int8 code off by one step would already show as ≈ 1e-5..1e-4;
    /// a wrong scale, zero point or bias order as ≥ 1e-3.
    static let emulationRelativeRMSBound = 1e-5

    func testBF16IsWithinBF16RoundingOfFloat32AndMatchesItsEmulation() throws {
        guard ReducedPrecisionFormat.bf16.isAvailable else {
            // Below AVX-512 (see InstructionSetTests) the layer must refuse with a one-line reason.
            XCTAssertThrowsError(try PackedLinearLayer(pytorchWeight: [Float](repeating: 0, count: 64 * 64), bias: nil,
                                                       inputSize: 64, outputSize: 64, format: .bf16)) { error in
                let message = error.localizedDescription
                XCTAssertTrue(message.contains("unimplemented on this CPU (oneDNN 2.6.3 dispatches to \(OneDNNRuntime.instructionSet))"),
                              message)
                XCTAssertFalse(message.contains("\n"), message)
            }
            throw XCTSkip("needs oneDNN bf16 matrix products (AVX-512, \(OneDNNRuntime.instructionSet) here); "
                          + "checked only the one-line refusal")
        }
        try checkEveryShape(.bf16, seed: 1, bound: Self.bf16RelativeRMSBound) { problem in
            problem.float32Reference(input: problem.input.map(SchemeEmulation.bfloat16),
                                     weight: problem.weight.map(SchemeEmulation.bfloat16))
        }
    }

    func testInt8IsWithinQuantizationErrorOfFloat32AndMatchesItsEmulation() throws {
        try checkEveryShape(.int8, seed: 101, bound: Self.int8RelativeRMSBound) { problem in
            problem.float32Reference(
                input: SchemeEmulation.uint8Activations(problem.input),
                weight: SchemeEmulation.int8Weights(problem.weight, inputSize: problem.inputSize,
                                                    outputSize: problem.outputSize,
                                                    largestCode: WeightQuantization.largestCode))
        }
    }

    /// Runs `format` on every shape: within `bound` of float32, visibly rounded (not float32 in
    /// disguise), and within `emulationRelativeRMSBound` of `emulated`.
    private func checkEveryShape(_ format: ReducedPrecisionFormat, seed: UInt64, bound: Double,
                                 emulated: (LinearProblem) -> [Float]) throws {
        let context = try ReducedPrecisionContext(threadCount: 2)
        for (index, (rows, inputSize, outputSize)) in Self.shapes.enumerated() {
            let label = "\(format) \(rows)×\(inputSize)→\(outputSize)"
            let problem = LinearProblem(rows: rows, inputSize: inputSize, outputSize: outputSize, seed: seed + UInt64(index))
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: inputSize,
                                              outputSize: outputSize, format: format)
            let result = try run(layer, problem, context: context)
            let versusFloat32 = ErrorReport(result, problem.float32Reference())
            XCTAssertLessThan(versusFloat32.relativeRMS, bound, "\(label): \(versusFloat32)")
            XCTAssertGreaterThan(versusFloat32.relativeRMS, 1e-4, "\(label) shows no rounding at all: was it float32?")
            let versusEmulation = ErrorReport(result, emulated(problem))
            XCTAssertLessThan(versusEmulation.relativeRMS, Self.emulationRelativeRMSBound,
                              "\(label) vs its emulation: \(versusEmulation)")
            print("\(label): vs float32 \(versusFloat32); vs emulation \(versusEmulation)")
        }
    }

    func testLayerBuiltFromDenseLayerEqualsLayerBuiltFromPyTorchWeight() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 37, inputSize: 64, outputSize: 96, seed: 7)
        let dense = DenseLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64, outputSize: 96)
        for format in ReducedPrecisionFormat.available {
            let fromDense = try PackedLinearLayer(dense, format: format)
            let fromPyTorch = try PackedLinearLayer(pytorchWeight: problem.weight, bias: problem.bias, inputSize: 64,
                                                    outputSize: 96, format: format)
            XCTAssertEqual(try run(fromDense, problem, context: context), try run(fromPyTorch, problem, context: context),
                           "\(format)")
        }
    }

    func testLayerWithoutBias() throws {
        let context = try ReducedPrecisionContext()
        let problem = LinearProblem(rows: 5, inputSize: 64, outputSize: 32, seed: 9)
        let reference = DenseLayer(pytorchWeight: problem.weight, bias: nil, inputSize: 64, outputSize: 32)(
            Tensor(shape: [5, 64], data: problem.input)).data
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: problem.weight, bias: nil, inputSize: 64, outputSize: 32,
                                              format: format)
            let report = ErrorReport(try run(layer, problem, context: context), reference)
            XCTAssertLessThan(report.relativeRMS, format == .bf16 ? Self.bf16RelativeRMSBound : Self.int8RelativeRMSBound,
                              "\(format) without bias: \(report)")
        }
    }

    private func run(_ layer: PackedLinearLayer, _ problem: LinearProblem, context: ReducedPrecisionContext) throws -> [Float] {
        try layer(Tensor(shape: [problem.rows, problem.inputSize], data: problem.input), context: context).data
    }
}
