import Foundation
import TestSupport
import XCTest

/// `clipseg segment` with the trained sample model (Samples/models/shapes) on the sample video, against the
/// ground-truth masks in Samples/videos/shapes-masks: the `make demo` command works, and the masks mean
/// something. Skipped while the model folder holds no weights.
final class SegmentSampleModelTests: XCTestCase {
    private let modelFolder = TestPaths.samples.appendingPathComponent("models/shapes")
    private let video = TestPaths.samples.appendingPathComponent("videos/shapes.mp4")
    private let truthFolder = TestPaths.samples.appendingPathComponent("videos/shapes-masks")

    /// The first `frames` masks of a ground-truth or PyTorch-reference video (lossless yuv420p, mask in the Y plane), as bytes.
    private func truth(_ name: String, width: Int, height: Int, frames: Int) throws -> [[UInt8]] {
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", truthFolder.appendingPathComponent(name).path,
                                                         "-frames:v", "\(frames)", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let frameBytes = width * height * 3 / 2, bytes = [UInt8](result.stdout)
        return stride(from: 0, to: bytes.count - frameBytes + 1, by: frameBytes).map { Array(bytes[$0..<($0 + width * height)]) }
    }

    /// Pooled IoU of two mask sequences, a pixel being set from 128 on.
    private func intersectionOverUnion(_ a: [[UInt8]], _ b: [[UInt8]]) -> Double {
        var intersection = 0, union = 0
        for (x, y) in zip(a, b) {
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    for i in 0..<min(x.count, y.count) {
                        let p = x[i] >= 128, q = y[i] >= 128
                        if p && q { intersection += 1 }
                        if p || q { union += 1 }
                    }
                }
            }
        }
        return union == 0 ? 1 : Double(intersection) / Double(union)
    }

    func testDemoCommandSegmentsTheSampleVideo() throws {
        guard FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("no trained sample model in Samples/models/shapes yet")
        }
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-sample")
        defer { folder.remove() }
        // The first 2 s (60 frames) keep the test short in a debug build; `make demo` runs all 240.
        let clip = folder.path("shapes-2s.mp4")
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", video.path, "-frames:v", "60", "-c", "copy", clip.path])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        // The command `make demo` runs, plus a mask stream of two prompts that differ only in colour.
        let result = try SegmentTestKit.run([clip.path, "--model", modelFolder.path, "--prompt", "red circle",
                                             "--prompt", "blue circle", "-o", folder.path("demo.mp4").path,
                                             "--masks", folder.path("masks.y4m").path, "--mask-layout", "stack"],
                                            timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(try SegmentTestKit.frameCount(folder.path("demo.mp4").path), 60)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        XCTAssertEqual(masks.frames.count, 120)
        let red = stride(from: 0, to: masks.frames.count, by: 2).map { masks.frames[$0] }
        let blue = stride(from: 1, to: masks.frames.count, by: 2).map { masks.frames[$0] }
        let redIoU = intersectionOverUnion(red, try truth("truth-red-circle.mkv", width: masks.width,
                                                              height: masks.height, frames: 60))
        let blueIoU = intersectionOverUnion(blue, try truth("truth-blue-circle.mkv", width: masks.width,
                                                                height: masks.height, frames: 60))
        print("sample model on shapes.mp4: IoU red circle \(redIoU), blue circle \(blueIoU)")
        XCTAssertGreaterThan(redIoU, 0.5)
        XCTAssertGreaterThan(blueIoU, 0.5)
        XCTAssertLessThan(intersectionOverUnion(red, blue), 0.2, "red and blue circles are different objects")
    }

    /// Our masks against the PyTorch model's on the same frames (Tools/make_sample_references.py: stock
    /// transformers forward, logits upscaled bilinearly to 640x360, sigmoid > 0.4), per prompt.
    func testMasksAgreeWithThePyTorchModel() throws {
        guard FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("no trained sample model in Samples/models/shapes yet")
        }
        let folder = try TemporaryDirectory(prefix: "clipseg-segment-sample-torch")
        defer { folder.remove() }
        let frames = 30
        let clip = folder.path("shapes-1s.mp4")
        let cut = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", video.path, "-frames:v", "\(frames)", "-c", "copy", clip.path])
        XCTAssertEqual(cut.status, 0, cut.stderrText)
        let prompts = [("red circle", "red-circle"), ("blue circle", "blue-circle"), ("yellow square", "yellow-square")]
        var arguments = [clip.path, "--model", modelFolder.path, "--masks", folder.path("masks.y4m").path, "--mask-layout", "stack"]
        for (prompt, _) in prompts { arguments += ["--prompt", prompt] }
        let result = try SegmentTestKit.run(arguments, timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        XCTAssertEqual(masks.frames.count, frames * prompts.count)
        for (k, (prompt, slug)) in prompts.enumerated() {
            let ours = stride(from: k, to: masks.frames.count, by: prompts.count).map { masks.frames[$0] }
            let torch = try truth("torch-\(slug)-640x360.mkv", width: masks.width, height: masks.height, frames: frames)
            XCTAssertEqual(torch.count, frames)
            let iou = intersectionOverUnion(ours, torch)
            print("sample model vs PyTorch on shapes.mp4: IoU \(prompt) \(iou)")
            XCTAssertGreaterThanOrEqual(iou, 0.99, prompt)
        }
    }
}
