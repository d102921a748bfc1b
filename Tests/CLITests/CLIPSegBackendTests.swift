import CLIPSeg
import Foundation
import MediaIO
import Pipeline
@testable import clipseg
import TensorKit
import TestSupport
import VideoFrames
import XCTest

/// The real backend on the committed fixture `p16-refined-bf16-clipvocab` (random weights, patch 16,
/// refined decoder, processor size 96): the split steps equal `CLIPSegModel.segment`, `--size` runs the
/// model at another input size, and recycled inputs are written in place.
final class CLIPSegBackendTests: XCTestCase {
    private func model() throws -> CLIPSegModel {
        try CLIPSegModel(directory: TestPaths.fixtures.appendingPathComponent("clipseg/p16-refined-bf16-clipvocab"))
    }

    private func frame(width: Int = 50, height: Int = 37) -> RGBFrame {
        var generator = SplitMix64(seed: 7)
        return RGBFrame(width: width, height: height,
                        pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private func conditionals(_ size: Int) -> ConditionalEmbeddings {
        ConditionalEmbeddings(rows: (0..<(2 * size)).map { Float($0 % 7) / 7 - 0.4 }, count: 2, size: size)
    }

    func testSplitStepsEqualTheModelsOneCallSegmentation() throws {
        let model = try model()
        let backend = try CLIPSegBackend(model: model)
        let picture = frame(), scratch = backend.makeScratch(for: .vision), embeddings = conditionals(backend.embeddingSize)
        let logits = try backend.decodeMasks(try backend.encode(try backend.prepare(picture, recycling: nil), scratch: scratch),
                                             conditionals: embeddings, scratch: scratch)
        let expected = try model.segment(rgb: picture.pixels, width: picture.width, height: picture.height,
                                         conditionals: Tensor(shape: [2, backend.embeddingSize], data: embeddings.rows))
        XCTAssertEqual(logits.count, 2)
        XCTAssertEqual([logits.height, logits.width], Array(expected.shape.dropFirst()))
        XCTAssertEqual(logits.values, expected.data)
        XCTAssertEqual(backend.inputSide(width: 640, height: 360), 96)
    }

    func testAnotherInputSizeInterpolatesThePositionsAndScalesTheLogits() throws {
        let backend = try CLIPSegBackend(model: try model(), inputSize: 128, visionThreads: 2)
        let scratch = backend.makeScratch(for: .vision)
        XCTAssertEqual(scratch.threads, 2)
        XCTAssertEqual(backend.makeScratch(for: .maskDecoder).threads, 1)
        let input = try backend.prepare(frame(), recycling: nil)
        XCTAssertEqual(input.shape, [3, 128, 128])
        let features = try backend.encode(input, scratch: scratch)
        XCTAssertEqual([features.gridHeight, features.gridWidth], [8, 8])
        let logits = try backend.decodeMasks(features, conditionals: conditionals(backend.embeddingSize), scratch: scratch)
        XCTAssertEqual([logits.height, logits.width], [128, 128], "refined decoder: 8 tokens × (16 / 4)²")
        XCTAssertThrowsError(try CLIPSegBackend(model: try model(), inputSize: 100)) { error in
            XCTAssertEqual("\(error)", "--size must be a positive multiple of the model's patch size 16, got 100")
        }
    }

    func testARecycledInputIsWrittenInPlace() throws {
        let backend = try CLIPSegBackend(model: try model())
        let first = try backend.prepare(frame(), recycling: nil)
        let fresh = try backend.prepare(frame(width: 64, height: 64), recycling: nil)
        let address = first.data.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let reused = try backend.prepare(frame(width: 64, height: 64), recycling: consume first)
        XCTAssertEqual(reused.data.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }, address)
        XCTAssertEqual(reused, fresh)
    }
}
