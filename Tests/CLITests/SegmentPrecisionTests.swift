import Foundation
import ReducedPrecision
import TestSupport
import XCTest
@testable import clipseg

/// `--precision bf16|int8` as users run it: the sample model on the sample video, masks against the
/// same run in fp32; the option's parsing and errors.
final class SegmentPrecisionTests: XCTestCase {
    private let modelFolder = TestPaths.samples.appendingPathComponent("models/shapes")
    private let video = TestPaths.samples.appendingPathComponent("videos/shapes.mp4")

    func testReducedPrecisionMasksAgreeWithFloat32OnTheSampleVideo() throws {
        guard FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("no trained sample model in Samples/models/shapes")
        }
        let folder = try TemporaryDirectory(prefix: "clipseg-precision")
        defer { folder.remove() }
        let frames = 60
        let clip = folder.path("shapes-2s.mp4")
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", video.path, "-frames:v", "\(frames)", "-c", "copy", clip.path])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        func masks(_ precision: String) throws -> [[UInt8]] {
            let out = folder.path("masks-\(precision).y4m")
            let result = try SegmentTestKit.run([clip.path, "--model", modelFolder.path, "--precision", precision,
                                                 "--prompt", "red circle", "--prompt", "blue circle",
                                                 "--prompt", "yellow square", "--masks", out.path, "--mask-layout", "stack"],
                                                timeout: 600)
            XCTAssertEqual(result.status, 0, result.stderrText)
            let decoded = try SegmentTestKit.y4mFrames(out)
            XCTAssertEqual(decoded.frames.count, 3 * frames, precision)
            return decoded.frames
        }
        let reference = try masks("fp32")
        // Only the formats offered on this CPU (bf16 needs AVX512-BF16; see ReducedPrecisionFormat.refusal).
        let formats = ReducedPrecisionFormat.offered.map(\.rawValue)
        if !formats.contains("bf16") { print("bf16 skipped: this CPU has no AVX-512 bf16 matrix products") }
        for precision in formats {
            let iou = SegmentTestKit.pooledIoU(try masks(precision), reference)
            print("sample video, \(frames) frames × 3 prompts: \(precision) vs fp32 mask IoU \(iou)")
            XCTAssertGreaterThanOrEqual(iou, 0.98, precision)
        }
    }

    func testAnUnknownPrecisionIsRefusedWithTheChoices() throws {
        let result = try SegmentTestKit.run(["in.mp4", "--prompt", "x", "--precision", "fp16"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderrText.contains("fp16"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("fp32") && result.stderrText.contains("bf16") && result.stderrText.contains("int8"),
                      result.stderrText)
    }

    func testTheRelaunchLooksForTheOptionBeforeParsing() {
        XCTAssertTrue(PrecisionChoice.isReducedRequested(in: ["clipseg", "segment", "a.mp4", "--precision", "bf16"]))
        XCTAssertTrue(PrecisionChoice.isReducedRequested(in: ["clipseg", "bench", "--precision=int8"]))
        XCTAssertFalse(PrecisionChoice.isReducedRequested(in: ["clipseg", "segment", "a.mp4", "--precision", "fp32"]))
        // Without a value after --precision (or after "--"), the default, auto, decides.
        let automatic = PrecisionChoice.auto.format != nil
        XCTAssertEqual(PrecisionChoice.isReducedRequested(in: ["clipseg", "segment", "a.mp4", "--precision"]), automatic)
        XCTAssertEqual(PrecisionChoice.isReducedRequested(in: ["clipseg", "segment", "--", "--precision", "bf16"]), automatic)
        XCTAssertFalse(PrecisionChoice.isReducedRequested(in: ["clipseg", "tokenize", "--", "--precision", "bf16"]))
        XCTAssertEqual(PrecisionChoice.isReducedRequested(in: ["clipseg", "segment", "--prompt", "precision bf16"]), automatic)
    }
}
