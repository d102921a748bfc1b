import Foundation
import XCTest
import TestSupport

/// Runs the real `clipseg image` on a committed fixture (Tests/Fixtures/clipseg/p16-refined-bf16-clipvocab
/// plus the tokenizer of Samples/models/shapes) and on damaged copies of its checkpoint.
final class ImageCommandTests: XCTestCase {
    private let fixture = TestPaths.fixtures.appendingPathComponent("clipseg/p16-refined-bf16-clipvocab")
    private var folder: TemporaryDirectory!
    private var model: URL { folder.path("model") }
    private var weights: URL { model.appendingPathComponent("model.safetensors") }

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-image-test")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for file in ["config.json", "preprocessor_config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: model.appendingPathComponent(file))
        }
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TestPaths.samples.appendingPathComponent("models/shapes/\(file)"),
                                             to: model.appendingPathComponent(file))
        }
    }

    override func tearDown() { folder?.remove() }

    private func run(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["image"] + arguments, timeout: 120)
    }

    private func segment(extra: [String] = []) throws -> ProcessResult {
        try run([fixture.appendingPathComponent("photo.png").path, "--model", model.path,
                 "--prompt", "a red circle", "--prompt", "cat",
                 "--image-prompt", fixture.appendingPathComponent("prompt.png").path,
                 "--logits", folder.path("out.npy").path] + extra)
    }

    func testWritesLogitsMatchingTransformersAndAnOverlay() throws {
        let result = try segment(extra: ["-o", folder.path("overlay.png").path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let (shape, values) = try NPY.readFloat32(folder.path("out.npy"))
        XCTAssertEqual(shape, [3, 96, 96])
        // Reference: reference.safetensors logits.0 rows 0 ("a red circle") and 2 ("cat"), image_prompt_logits.0;
        // tolerance 50 × the fixture's fp32-vs-fp64 figure (3.2e-6).
        let reference = try ReferenceTensors(fixture.appendingPathComponent("reference.safetensors"))
        let text = try reference.floats("logits.0"), image = try reference.floats("image_prompt_logits.0")
        let plane = 96 * 96
        let expected = Array(text[0..<plane]) + Array(text[(2 * plane)..<(3 * plane)]) + image
        let worst = largestAbsoluteDifference(values, expected)
        XCTAssertLessThan(worst, 1.6e-4)

        let probe = try ChildProcess.runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                         "stream=codec_name,width,height,pix_fmt", "-of", "csv=p=0",
                                                         folder.path("overlay.png").path])
        XCTAssertEqual(probe.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "png,50,37,rgb24")
    }

    func testModelFromEnvironment() throws {
        let result = try ChildProcess.run(TestPaths.clipsegBinary,
                                          ["image", fixture.appendingPathComponent("photo.png").path, "--prompt", "cat",
                                           "--logits", folder.path("env.npy").path],
                                          environment: ["CLIPSEG_MODEL": model.path], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(try NPY.readFloat32(folder.path("env.npy")).shape, [1, 96, 96])
    }

    func testUsageErrors() throws {
        let photo = fixture.appendingPathComponent("photo.png").path
        let noPrompt = try run([photo, "--model", model.path, "--logits", folder.path("x.npy").path])
        XCTAssertNotEqual(noPrompt.status, 0)
        XCTAssertTrue(noPrompt.stderrText.contains("give at least one --prompt TEXT or --image-prompt FILE"), noPrompt.stderrText)
        let noOutput = try run([photo, "--model", model.path, "--prompt", "cat"])
        XCTAssertNotEqual(noOutput.status, 0)
        XCTAssertTrue(noOutput.stderrText.contains("nothing to write"), noOutput.stderrText)
    }

    // MARK: Damaged model folders: one clear line, status 1, no crash.

    private func assertFails(_ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try segment()
        XCTAssertEqual(result.status, 1, result.stderrText, file: file, line: line)
        let lines = result.stderrText.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderrText, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(expected), "\(result.stderrText) lacks \(expected)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path("out.npy").path), file: file, line: line)
    }

    func testTruncatedCheckpoint() throws {
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
        try assertFails("\(weights.path): tensor '")
    }

    func testHeaderLengthPastTheEnd() throws {
        var bytes = try Data(contentsOf: weights)
        let length = UInt64(bytes.count) + 100
        bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: length.littleEndian) { Data($0) })
        try bytes.write(to: weights)
        try assertFails("\(weights.path): header length \(length) runs past the end of the \(bytes.count)-byte file")
    }

    func testOverlappingOffsets() throws {
        var checkpoint = try RawCheckpoint(weights)
        let names = checkpoint.orderedNames
        // Move the last tensor 2 bytes back, into the one before it (same byte count).
        let last = names[names.count - 1], previous = names[names.count - 2]
        let range = checkpoint.offsets[last]!
        checkpoint.offsets[last] = [range[0] - 2, range[1] - 2]
        try checkpoint.writeKeepingData(to: weights)
        try assertFails("tensor '\(last)' begins at data offset \(range[0] - 2), inside tensor '\(previous)' which ends at \(range[0])")
    }

    func testWrongDTypeSize() throws {
        var checkpoint = try RawCheckpoint(weights)
        checkpoint.entries["decoder.film_add.bias"]!["dtype"] = "F32"  // BF16 bytes declared as F32
        try checkpoint.writeKeepingData(to: weights)
        try assertFails("tensor 'decoder.film_add.bias' has 32 bytes but shape [16] of F32 needs 64")
    }

    func testMissingTensor() throws {
        var checkpoint = try RawCheckpoint(weights)
        checkpoint.remove("decoder.reduces.2.weight")
        try checkpoint.writeRepacked(to: weights)
        try assertFails("\(weights.path): missing tensor 'decoder.reduces.2.weight'")
    }

    func testWrongShape() throws {
        var checkpoint = try RawCheckpoint(weights)
        checkpoint.entries["clip.visual_projection.weight"]!["shape"] = [48, 24]
        try checkpoint.writeKeepingData(to: weights)
        try assertFails("\(weights.path): tensor 'clip.visual_projection.weight' has shape [48, 24], expected [24, 48]")
    }

    func testUnknownExtraTensor() throws {
        var checkpoint = try RawCheckpoint(weights)
        checkpoint.add("decoder.extra_head.weight", dtype: "BF16", shape: [2], bytes: [0, 0, 0, 0])
        try checkpoint.writeRepacked(to: weights)
        try assertFails("\(weights.path): unexpected tensor 'decoder.extra_head.weight' not used by this configuration")
    }

    func testMissingConfiguration() throws {
        try FileManager.default.removeItem(at: model.appendingPathComponent("config.json"))
        try assertFails("model folder \(model.path) has no config.json (the model configuration)")
    }
}
