import Foundation
import ReducedPrecision
import TestSupport
import XCTest
@testable import clipseg

/// `--precision bf16|int8` as users run it: the sample model on the sample video, masks against the
/// same run in fp32; the option's parsing and errors.
final class SegmentPrecisionTests: XCTestCase {
    private static let modelFolder = TestPaths.samples.appendingPathComponent("models/shapes")
    private static let video = TestPaths.samples.appendingPathComponent("videos/shapes.mp4")
    private static let frames = 60
    /// The first 60 frames of the sample video and their fp32 masks, made once for both precisions' tests.
    nonisolated(unsafe) private static var clip: (folder: TemporaryDirectory, fp32: [[UInt8]])?

    override class func tearDown() {
        clip?.folder.remove()
        clip = nil
        super.tearDown()
    }

    private func masks(_ precision: String, clip: URL, in folder: TemporaryDirectory) throws -> [[UInt8]] {
        let out = folder.path("masks-\(precision).y4m")
        let result = try SegmentTestKit.run([clip.path, "--model", Self.modelFolder.path, "--precision", precision,
                                             "--prompt", "red circle", "--prompt", "blue circle",
                                             "--prompt", "yellow square", "--masks", out.path, "--mask-layout", "stack"],
                                            timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let decoded = try SegmentTestKit.y4mFrames(out)
        XCTAssertEqual(decoded.frames.count, 3 * Self.frames, precision)
        return decoded.frames
    }

    /// `precision`'s masks against fp32's: mask IoU at least 0.98.
    private func checkAgainstFloat32(_ precision: ReducedPrecisionFormat) throws {
        guard FileManager.default.fileExists(atPath: Self.modelFolder.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("no trained sample model in Samples/models/shapes")
        }
        if Self.clip == nil {
            let folder = try TemporaryDirectory(prefix: "clipseg-precision")
            let path = folder.path("shapes-2s.mp4")
            let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", Self.video.path, "-frames:v", "\(Self.frames)",
                                                          "-c", "copy", path.path])
            XCTAssertEqual(cut.status, 0, cut.stderrText)
            Self.clip = (folder, try masks("fp32", clip: path, in: folder))
        }
        let (folder, reference) = try XCTUnwrap(Self.clip)
        let iou = SegmentTestKit.pooledIoU(try masks(precision.rawValue, clip: folder.path("shapes-2s.mp4"), in: folder), reference)
        print("sample video, \(Self.frames) frames × 3 prompts: \(precision.rawValue) vs fp32 mask IoU \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.98, precision.rawValue)
    }

    func testInt8MasksAgreeWithFloat32OnTheSampleVideo() throws {
        guard ReducedPrecisionFormat.offered.contains(.int8) else {
            throw XCTSkip("int8 is not offered here (\(ReducedPrecisionFormat.int8.refusal ?? "")); oneDNN ISA \(OneDNNRuntime.instructionSet)")
        }
        try checkAgainstFloat32(.int8)
    }

    /// bf16 where the CPU offers it; elsewhere the one-line refusal, then a skip naming what is missing.
    func testBF16MasksAgreeWithFloat32OnTheSampleVideo() throws {
        guard ReducedPrecisionFormat.offered.contains(.bf16) else {
            let result = try SegmentTestKit.run([Self.video.path, "--model", Self.modelFolder.path, "--precision", "bf16",
                                                 "--prompt", "red circle", "--masks", "-"])
            XCTAssertEqual(result.status, 64, result.stderrText)
            let lines = result.stderrText.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, result.stderrText)
            XCTAssertTrue(lines.first?.hasPrefix("Error: ") == true && result.stderrText.contains("bf16"), result.stderrText)
            throw XCTSkip("needs oneDNN bf16 matrix products (AVX-512; \(OneDNNRuntime.instructionSet) here): "
                          + "checked only that --precision bf16 is refused in one line")
        }
        try checkAgainstFloat32(.bf16)
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
