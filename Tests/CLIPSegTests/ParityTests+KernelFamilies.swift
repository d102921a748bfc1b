import KernelTestSupport
import TensorKit
import XCTest

// The transformers parity of every stage, and the reduced-precision bounds, once more under each kernel
// family forced in-process (`withKernels`; the models are built inside, so their dense layers take that
// family's weight layout): the other runs take this CPU's best family only. A family the CPU cannot run is
// skipped with the features it lacks.

extension ParityTests {
    func testEveryStageWithAVX512Kernels() throws { try withKernels(.avx512, everyStage) }
    func testEveryStageWithAVX2Kernels() throws { try withKernels(.avx2, everyStage) }
    func testEveryStageWithPortableKernels() throws { try withKernels(.portable, everyStage) }

    private func everyStage() throws {
        try testVisionEmbeddingsAndExtractedHiddenStates()
        try testTextPoolingPositionsAndEmbeddings()
        try testImagePromptEmbedding()
        try testDecoderFromReferenceInputs()
        try testEndToEndFromImagesAndPrompts()
    }
}

extension ReducedPrecisionParityTests {
    func testReducedPrecisionWithAVX512Kernels() throws { try withKernels(.avx512, everyBound) }
    func testReducedPrecisionWithAVX2Kernels() throws { try withKernels(.avx2, everyBound) }
    func testReducedPrecisionWithPortableKernels() throws { try withKernels(.portable, everyBound) }

    private func everyBound() throws {
        try testLogitsAndMasksStayCloseToTheFloat32Reference()
        try testOnlyTheVisionEncoderChanges()
    }
}
