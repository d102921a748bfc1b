@testable import CLIPSeg
import Foundation
import TensorKit
import TestSupport
import XCTest

/// `PeakMemoryEstimate`: grows with the input size and the prompts, accounts for the attention scores that
/// crashed `--size 2048`, and bounds peaks measured on this project's models from above without being
/// loose (numbers below measured with `/usr/bin/time -v`, release build, 2-core AMD EPYC without AVX-512).
final class PeakMemoryEstimateTests: XCTestCase {
    private let mib = 1 << 20

    /// The sample model (Samples/models/shapes: patch 8, vision 64 wide, 4 heads, 4 layers).
    private func shapes() throws -> (CLIPSegConfiguration, weightBytes: Int) {
        let folder = TestPaths.samples.appendingPathComponent("models/shapes")
        let configuration = try CLIPSegConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("model.safetensors").path)[.size]
        return (configuration, (size as? NSNumber)?.intValue ?? 0)
    }

    /// CIDAS/clipseg-rd64-refined's architecture (transformers' defaults, patch 16, refined head).
    private var rd64Refined: CLIPSegConfiguration {
        var configuration = CLIPSegConfiguration(useComplexTransposedConvolution: true)
        configuration.vision.patchSize = 16
        return configuration
    }

    private func run(prompts: Int = 1, threads: Int = 2, weightBytes: Int) -> PeakMemoryEstimate.Run {
        var run = PeakMemoryEstimate.Run(prompts: prompts, textPrompts: prompts, imagePrompts: 0, precision: nil,
                                         weightFileBytes: weightBytes)
        run.visionThreads = threads
        run.decoderThreads = threads
        return run
    }

    func testGrowsWithTheInputSizeAndThePrompts() throws {
        let (configuration, weightBytes) = try shapes()
        var previous = 0
        for side in stride(from: 8, through: 1024, by: 8) {
            let estimate = PeakMemoryEstimate(configuration: configuration, inputSide: side, run: run(weightBytes: weightBytes))
            XCTAssertGreaterThanOrEqual(estimate.residentBytes, previous, "side \(side)")
            XCTAssertGreaterThan(estimate.addressSpaceBytes, estimate.residentBytes - 1)
            previous = estimate.residentBytes
        }
        var fewer = 0
        for prompts in 1...16 {
            let estimate = PeakMemoryEstimate(configuration: configuration, inputSide: 512,
                                              run: run(prompts: prompts, weightBytes: weightBytes))
            XCTAssertGreaterThan(estimate.residentBytes, fewer, "\(prompts) prompts")
            fewer = estimate.residentBytes
        }
    }

    /// Token reuse keeps 4 · tokens · hidden floats per layer up to the deepest extracted one, and the last
    /// frame's pixels and features: about 60 MiB for the full-size model at 352².
    func testCountsTheTokenReuseCache() {
        var withReuse = run(weightBytes: 0)
        withReuse.tokenReuse = true
        let plain = PeakMemoryEstimate(configuration: rd64Refined, inputSide: 352, run: run(weightBytes: 0))
        let reused = PeakMemoryEstimate(configuration: rd64Refined, inputSide: 352, run: withReuse)
        let tokens = 1 + 22 * 22, cache = 10 * 4 * tokens * 768 * 4
        XCTAssertEqual(reused.tensorsInFlight - plain.tensorsInFlight, cache + 4 * 3 * 352 * 352 + 4 * 3 * tokens * 768)
        XCTAssertEqual(Double(cache) / Double(mib), 56.8, accuracy: 0.1)
    }

    /// `--size 2048` on the sample model with 2 threads asked for 68,722,622,496 bytes and crashed: the vision
    /// pass's attention scores, 4 pieces (2 · threads, at most the 4 heads) × (65,537² + 65,537) floats.
    func testCountsTheAttentionScoresThatCrashedSize2048() throws {
        let (configuration, weightBytes) = try shapes()
        let tokens = 1 + (2048 / 8) * (2048 / 8)
        let crashed = 4 * 4 * ScaledDotProductAttention.scratchCount(tokens: tokens)
        XCTAssertEqual(crashed, 68_722_622_496)
        let estimate = PeakMemoryEstimate(configuration: configuration, inputSide: 2048, run: run(weightBytes: weightBytes))
        XCTAssertGreaterThanOrEqual(estimate.workspaces, crashed)
        XCTAssertLessThan(estimate.residentBytes, 2 * crashed + crashed / 2)  // + the decoder's 4 pieces, + 10 %
    }

    func testWeightsOfTheFullArchitectureMatchItsParameterCount() {
        // 150,747,746 tensors' elements in model.safetensors, less the two I64 position-id tables (77 + 197)
        // and clip.logit_scale, which the model does not keep.
        let floats = 150_747_746 - 77 - 197 - 1
        let weights = WeightMemory(configuration: rd64Refined, precision: nil)
        XCTAssertGreaterThanOrEqual(weights.float32, 4 * floats)
        XCTAssertLessThan(weights.float32, 4 * floats + 4 * floats / 50)  // panels pad by at most 2 %
        let int8 = WeightMemory(configuration: rd64Refined, precision: .int8)
        XCTAssertLessThan(int8.resident, weights.resident - weights.visionLinearFloat32 / 2)
    }

    /// Measured peaks (maximum resident set size, MiB) of runs of the real binary on a random checkpoint of
    /// the full architecture (603 MB of float32 weights), against the estimate plus the 53 MiB the process
    /// holds before the check. The estimate must not be lower than the peak, nor above 1.5 × it.
    func testBoundsMeasuredPeaksOfTheFullArchitecture() {
        let weightBytes = 603_053_400, baseline = 53 * mib
        let cases: [(label: String, side: Int, prompts: Int, threads: Int, measuredMiB: Int)] = [
            ("bench --size 352, 1 prompt", 352, 1, 2, 1301),
            ("bench --size 1024, 1 prompt", 1024, 1, 2, 1483),
            ("bench --size 1408, 1 prompt", 1408, 1, 2, 3037),
        ]
        for item in cases {
            var benchRun = run(prompts: item.prompts, threads: item.threads, weightBytes: weightBytes)
            benchRun.frameWidth = 640
            benchRun.frameHeight = 480
            let estimate = PeakMemoryEstimate(configuration: rd64Refined, inputSide: item.side, run: benchRun)
            let measured = item.measuredMiB * mib
            XCTAssertGreaterThanOrEqual(estimate.residentBytes + baseline, measured, item.label)
            XCTAssertLessThanOrEqual(estimate.residentBytes + baseline, measured + measured / 2, item.label)
        }
    }

    func testLargestInputSideIsTheLargestThatFits() throws {
        let (configuration, weightBytes) = try shapes()
        let runSettings = run(weightBytes: weightBytes)
        let budget = PeakMemoryEstimate(configuration: configuration, inputSide: 640, run: runSettings).residentBytes
        let side = PeakMemoryEstimate.largestInputSide(configuration: configuration, run: runSettings, upTo: 4096) {
            $0.residentBytes <= budget
        }
        XCTAssertEqual(side, 640)
        XCTAssertNil(PeakMemoryEstimate.largestInputSide(configuration: configuration, run: runSettings, upTo: 4096) { _ in false })
    }
}
