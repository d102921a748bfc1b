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

    /// The Y plane of every frame of a ground-truth mask video (lossless yuv420p, mask in luma), as 0/1.
    private func truth(_ name: String, width: Int, height: Int) throws -> [[Bool]] {
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", truthFolder.appendingPathComponent(name).path,
                                                         "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let frameBytes = width * height * 3 / 2, bytes = [UInt8](result.stdout)
        return stride(from: 0, to: bytes.count - frameBytes + 1, by: frameBytes).map { start in
            bytes[start..<(start + width * height)].map { $0 >= 128 }
        }
    }

    private func intersectionOverUnion(_ a: [[Bool]], _ b: [[Bool]]) -> Double {
        var intersection = 0, union = 0
        for (x, y) in zip(a, b) {
            for (p, q) in zip(x, y) {
                if p && q { intersection += 1 }
                if p || q { union += 1 }
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
        // The command `make demo` runs, plus a mask stream of two prompts that differ only in colour.
        let result = try SegmentTestKit.run([video.path, "--model", modelFolder.path, "--prompt", "red circle",
                                             "--prompt", "blue circle", "-o", folder.path("demo.mp4").path,
                                             "--masks", folder.path("masks.y4m").path, "--mask-layout", "stack"],
                                            timeout: 600)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(try SegmentTestKit.frameCount(folder.path("demo.mp4").path), 240)
        let masks = try SegmentTestKit.y4mFrames(folder.path("masks.y4m"))
        XCTAssertEqual(masks.frames.count, 480)
        let red = stride(from: 0, to: masks.frames.count, by: 2).map { masks.frames[$0].map { $0 >= 128 } }
        let blue = stride(from: 1, to: masks.frames.count, by: 2).map { masks.frames[$0].map { $0 >= 128 } }
        let redIoU = intersectionOverUnion(red, try truth("truth-red-circle.mkv", width: masks.width, height: masks.height))
        let blueIoU = intersectionOverUnion(blue, try truth("truth-blue-circle.mkv", width: masks.width, height: masks.height))
        print("sample model on shapes.mp4: IoU red circle \(redIoU), blue circle \(blueIoU)")
        XCTAssertGreaterThan(redIoU, 0.5)
        XCTAssertGreaterThan(blueIoU, 0.5)
        XCTAssertLessThan(intersectionOverUnion(red, blue), 0.2, "red and blue circles are different objects")
    }
}
