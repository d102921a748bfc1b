import KernelTestSupport
import XCTest
@testable import TensorKit

// The dense-layer, attention, element-wise and vector-kernel tests once more under each kernel family
// forced in-process (`withKernels`): the other runs take this CPU's best family only. A family the CPU
// cannot run is skipped with the features it lacks.

extension PackedDenseTests {
    func testEveryShapeWithAVX512Kernels() throws { try withKernels(.avx512, everyCheck) }
    func testEveryShapeWithAVX2Kernels() throws { try withKernels(.avx2, everyCheck) }
    func testEveryShapeWithPortableKernels() throws { try withKernels(.portable, everyCheck) }

    private func everyCheck() {
        testEveryTileAndPanelShapeMatchesDoubleLinear()
        testEveryActivation()
        testStridedRowsLeaveOtherColumnsUntouched()
        testColumnGranuleIsThePanelWidth()
        for (rows, inputs) in [(7, 1030), (13, 1537)] {
            checkWide(rows: rows, inputs: inputs, activation: .quickGELU, accumulate: false)
            checkWide(rows: rows, inputs: inputs, activation: .identity, accumulate: true)
        }
    }

    /// More than 1024 inputs, which the AVX2 build sums in 512-input chunks through the output (a lost or
    /// repeated chunk would be off by whole units). Bound: one float32 accumulator over ~1500 products of
    /// values in ±1 (sums up to ~±20) rounds to ≈ 5e-5 here, where OpenBLAS's blocked sums stay under 2e-5.
    private func checkWide(rows: Int, inputs: Int, activation: Activation, accumulate: Bool) {
        let outputs = 100, seed = UInt64(rows * 7919 + inputs)
        let x = NaiveReference.values(rows * inputs, seed: seed), w = NaiveReference.values(outputs * inputs, seed: seed + 1)
        let b = NaiveReference.values(outputs, seed: seed + 2), residual = NaiveReference.values(rows * outputs, seed: seed + 3)
        let linear = NaiveReference.linear(x, rows: rows, weight: w, bias: b, inputs: inputs, outputs: outputs)
        let expected = accumulate ? zip(linear, residual).map { $0 + $1 } : linear.map { activation($0) }
        let layer = DenseLayer(pytorchWeight: w, bias: b, inputSize: inputs, outputSize: outputs)
        var y = residual
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer {
                layer.apply(px.baseAddress!, rows: rows, into: $0.baseAddress!, activation: activation, accumulate: accumulate)
            }
        }
        XCTAssertLessThan(NaiveReference.maxDifference(y, expected), 1.5e-4,
                          "\(KernelISA.current) \(rows)×\(inputs) \(activation) accumulate \(accumulate)")
    }
}

extension AttentionTests {
    func testAttentionWithAVX512Kernels() throws { try withKernels(.avx512, everyCheck) }
    func testAttentionWithAVX2Kernels() throws { try withKernels(.avx2, everyCheck) }
    func testAttentionWithPortableKernels() throws { try withKernels(.portable, everyCheck) }

    private func everyCheck() {
        testBidirectionalAttentionMatchesNaive()
        testCausalAttentionMatchesNaive()
        testKernelEdgesMatchNaive()
        testHeadsWiderThanTheKernelLimit()
    }
}

extension ElementwiseTests {
    func testElementwiseWithAVX512Kernels() throws { try withKernels(.avx512, everyCheck) }
    func testElementwiseWithAVX2Kernels() throws { try withKernels(.avx2, everyCheck) }
    func testElementwiseWithPortableKernels() throws { try withKernels(.portable, everyCheck) }

    private func everyCheck() {
        testActivationsAgainstClosedForms()
        testLayerNormMatchesDoubleReference()
        testSoftmaxIsStableAndSumsToOne()
        testCausalSoftmaxZeroesTheFuture()
    }
}

extension VectorKernelTests {
    // The vector builds against the portable loops; `portable` has no vector build to compare.
    func testVectorKernelsWithAVX512Kernels() throws { try withKernels(.avx512, everyCheck) }
    func testVectorKernelsWithAVX2Kernels() throws { try withKernels(.avx2, everyCheck) }

    private func everyCheck() {
        testExponentiatedRowsAgreeWithThePortableLoopOnEveryTail()
        testExponentiationClampsLikeThePortableLoop()
        testBiasAndActivationsAgreeWithThePortableLoopAndLeaveTheStrideAlone()
        testLayerNormAgreesWithThePortableLoopOnEveryTail()
        testRowFillAndDivision()
    }
}
