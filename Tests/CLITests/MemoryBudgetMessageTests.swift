import CLIPSeg
import Foundation
import TestSupport
import XCTest
@testable import clipseg

/// `MemoryBudget`'s refusals for made-up limits (the sample model, patch 8): which value is named, the
/// largest `--size` offered (it fits, the next multiple of the patch does not), and the limit quoted.
final class MemoryBudgetMessageTests: XCTestCase {
    private let folder = TestPaths.samples.appendingPathComponent("models/shapes")

    private func budget(resident: Int?, addressSpace: Int? = nil) throws -> MemoryBudget {
        let limit = MemoryLimit(resident: resident.map { .init(bytes: $0, source: "MemAvailable") },
                                addressSpace: addressSpace.map { .init(bytes: $0, source: "ulimit -v") })
        return try XCTUnwrap(MemoryBudget(modelDirectory: folder, limit: limit))
    }

    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let failure as CommandFailure {
            XCTAssertEqual(failure.exitCode, 1)
            return failure.message
        } catch { XCTFail("\(error)") }
        return nil
    }

    private func estimate(_ budget: MemoryBudget, _ run: PeakMemoryEstimate.Run, side: Int) -> PeakMemoryEstimate {
        PeakMemoryEstimate(configuration: budget.configuration, inputSide: side, run: run)
    }

    func testATooLargeSizeIsNamedWithTheLargestThatFits() throws {
        let budget = try budget(resident: 1_000_000_000)
        var run = budget.run(textPrompts: 2, imagePrompts: 0, precision: .fp32)
        run.visionThreads = 2
        let text = try XCTUnwrap(message { try budget.require(size: 2048, run: run) })
        let pattern = #"^--size 2048 needs about ([0-9.]+) GB of memory, more than the 1\.0 GB this process may use \(MemAvailable\); the largest --size that fits is ([0-9]+)$"#
        let match = try XCTUnwrap(try NSRegularExpression(pattern: pattern)
            .firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), text)
        let offered = try XCTUnwrap(Int(text[Range(match.range(at: 2), in: text)!]))
        XCTAssertEqual(offered % 8, 0)
        XCTAssertLessThanOrEqual(estimate(budget, run, side: offered).residentBytes, 1_000_000_000)
        XCTAssertGreaterThan(estimate(budget, run, side: offered + 8).residentBytes, 1_000_000_000)
        XCTAssertEqual(Double(text[Range(match.range(at: 1), in: text)!]) ?? 0,
                       Double(estimate(budget, run, side: 2048).residentBytes) / 1e9, accuracy: 0.05)
        XCTAssertNil(message { try budget.require(size: offered, run: run) }, "the offered size passes")
    }

    func testTheDefaultSizeIsNamedWhenNoSizeWasGiven() throws {
        // 64 prompts: the decoder's batch, not loading the weights, sets the peak at the model's size.
        let run = try budget(resident: nil).run(textPrompts: 64, imagePrompts: 0, precision: .fp32)
        let needed = estimate(try budget(resident: nil), run, side: 128).residentBytes
        XCTAssertGreaterThan(needed, estimate(try budget(resident: nil), run, side: 120).residentBytes)
        let text = try XCTUnwrap(message { try budget(resident: needed - 1).require(size: nil, run: run) })
        XCTAssertTrue(text.hasPrefix("the model's input size 128 needs about "), text)
        XCTAssertTrue(text.contains("; the largest --size that fits is 120"), text)
    }

    func testWhenNothingFitsTheWeightsAndFramesAreNamed() throws {
        let budget = try budget(resident: 5_000_000)
        var run = budget.run(textPrompts: 1, imagePrompts: 0, precision: .fp32)
        run.otherBytes = 300_000_000
        let text = try XCTUnwrap(message { try budget.require(size: 256, run: run, frames: "frames of 7680×4320") })
        XCTAssertTrue(text.hasPrefix("this run needs about "), text)
        XCTAssertTrue(text.contains(" even at the smallest --size (8), more than the 5 MB this process may use (MemAvailable): "
                                    + "the weights take "), text)
        XCTAssertTrue(text.hasSuffix(", frames of 7680×4320 in flight 300 MB"), text)
    }

    func testTheAddressSpaceLimitIsQuotedWhenItIsTheOneShort() throws {
        let budget = try budget(resident: 1 << 40, addressSpace: 2_000_000_000)
        var run = budget.run(textPrompts: 1, imagePrompts: 0, precision: .fp32)
        run.newThreads = 10
        let text = try XCTUnwrap(message { try budget.require(size: 1024, run: run) })
        XCTAssertTrue(text.contains("more than the 2.0 GB this process may use (ulimit -v)"), text)
    }

    /// `clipseg image photo.png --prompt cat --prompt dog --size 1024 --logits … -o …` on the sample model
    /// (a 640×480 picture) peaked at 1,357 MiB resident (`/usr/bin/time -v`, release build), 53 MiB of it
    /// held before the check, with its pass on one thread. The estimate for that run must cover it, by at most
    /// half as much again.
    func testTheImageEstimateBoundsItsMeasuredPeak() throws {
        let budget = try budget(resident: nil)
        let run = budget.imageRun(size: 1024, width: 640, height: 480, texts: 2, images: 0, precision: .fp32,
                                  overlay: true, pictureBytes: 0, threads: 1)
        let estimate = estimate(budget, run, side: 1024).residentBytes + 53 << 20
        let measured = 1357 << 20
        XCTAssertGreaterThanOrEqual(estimate, measured)
        XCTAssertLessThanOrEqual(estimate, measured + measured / 2)
    }

    func testSizesNotAMultipleOfThePatchAreLeftToTheModelsOwnCheck() throws {
        let run = try budget(resident: 1).run(textPrompts: 1, imagePrompts: 0, precision: .fp32)
        XCTAssertNil(message { try budget(resident: 1).require(size: 2050, run: run) })
    }
}
