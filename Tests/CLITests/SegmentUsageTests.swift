import Foundation
import TestSupport
import XCTest

/// `clipseg segment` refusing what it cannot do: one clear line, a non-zero status, no crash.
final class SegmentUsageTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-segment-usage")
    }

    override func tearDown() { folder?.remove() }

    private func assertRefused(_ arguments: [String], _ message: String, environment: [String: String] = [:],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try SegmentTestKit.run(arguments, environment: environment)
        XCTAssertNotEqual(result.status, 0, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(message), "\(result.stderrText) lacks \(message)", file: file, line: line)
        XCTAssertEqual(result.stdoutText, "", file: file, line: line)
    }

    func testNothingToWriteGivesAHint() throws {
        try assertRefused(["in.mp4", "--prompt", "cat"],
                          "nothing to write: give -o FILE (video), --masks FILE, --stats FILE or --events FILE (- for standard output)")
    }

    func testOptionCombinationsThatCannotWork() throws {
        try assertRefused(["in.mp4", "--masks", "m.y4m"], "give at least one --prompt TEXT or --image-prompt FILE")
        try assertRefused(["in.mp4", "--prompt", "cat", "-o", "-", "--masks", "-"],
                          "only one of -o, --masks, --stats and --events can write to standard output (-)")
        try assertRefused(["-", "--prompt", "cat", "--masks", "m.y4m", "--control", "-"],
                          "--control - and INPUT - cannot both read standard input")
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "m.y4m", "--threshold", "1.5"],
                          "--threshold must be between 0 and 1, got 1.5")
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "m.y4m", "--keep-frames", "--processed-only"],
                          "--keep-frames and --processed-only exclude each other")
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "m.y4m", "--processed-only", "--follow-motion"],
                          "--follow-motion moves the masks of kept frames; --processed-only keeps none")
        try assertRefused(["in.mp4", "--prompt", "cat", "-o", "o.mp4", "--background", "green"],
                          "--background is used with --mode replace")
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "-", "--mask-format", "png-dir"],
                          "--mask-format png-dir writes a folder, not standard output")
    }

    func testMissingModelSaysWhereToGetOne() throws {
        let missing = folder.path("no-model").path
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "m.y4m", "--model", missing],
                          "Error: no model folder at \(missing); download CIDAS/clipseg-rd64-refined with: "
                          + "clipseg download CIDAS/clipseg-rd64-refined")
        // Neither --model nor $CLIPSEG_MODEL: CIDAS/clipseg-rd64-refined from the Hugging Face cache, then clipseg's.
        let home = folder.url.path
        let environment = ["HOME": home, "CLIPSEG_MODEL": "", "HF_HUB_CACHE": "", "HF_HOME": "", "XDG_CACHE_HOME": ""]
        let result = try SegmentTestKit.run(["in.mp4", "--prompt", "cat", "--masks", "m.y4m"], environment: environment)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "Error: no model given (--model or CLIPSEG_MODEL) and CIDAS/clipseg-rd64-refined "
                       + "is not downloaded: not in \(home)/.cache/huggingface/hub nor in \(home)/.cache/clipseg/hub; "
                       + "download it with: clipseg download CIDAS/clipseg-rd64-refined\n")
        // The folder earlier versions told users to fill is still used when it exists.
        let legacy = folder.path(".cache/clipseg/clipseg-rd64-refined")
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        let old = try SegmentTestKit.run(["in.mp4", "--prompt", "cat", "--masks", "m.y4m"], environment: environment)
        XCTAssertEqual(old.status, 1)
        XCTAssertTrue(old.stderrText.contains("model folder \(legacy.path) has no config.json"), old.stderrText)
    }

    func testIncompleteModelFolderNamesTheFileAndWhereToGetIt() throws {
        let model = try SegmentTestKit.makeModel(in: folder)
        try FileManager.default.removeItem(atPath: model + "/vocab.json")
        try assertRefused(["in.mp4", "--prompt", "cat", "--masks", "m.y4m", "--model", model],
                          "model folder \(model) has no vocab.json (the tokenizer vocabulary, needed for text prompts); "
                          + "download CIDAS/clipseg-rd64-refined")
    }

    func testBadInputsAndSizes() throws {
        let model = try SegmentTestKit.makeModel(in: folder)
        let missing = folder.path("missing.mp4").path
        try assertRefused([missing, "--model", model, "--prompt", "cat", "--masks", folder.path("m.y4m").path],
                          "Error: \(missing): no such file")
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.3)
        try assertRefused([clip.path, "--model", model, "--prompt", "cat", "--masks", folder.path("m.y4m").path,
                           "--size", "100"], "--size must be a positive multiple of the model's patch size 16, got 100")
        try assertRefused([clip.path, "--model", model, "--prompt", "cat", "--masks", folder.path("m.y4m").path,
                           "--fps", "15"], "--camera-size and --fps apply to cameras (/dev/videoN, camera:N)")
        try assertRefused([clip.path, "--model", model, "--prompt", "cat", "--prompt", "CAT",
                           "--masks", folder.path("m.y4m").path], "--prompt: prompt 'CAT' is given twice")
    }

    func testHelpTeachesWithExamples() throws {
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["segment", "--help"])
        XCTAssertEqual(result.status, 0)
        for expected in ["--mode blur", "--masks - --quiet |\n      ffmpeg -i -", "--prompt car --prompt \"a person\"",
                         "--keep-frames", "--processed-only", "--realtime", "--control", "prompt set", "camera:0"] {
            XCTAssertTrue(result.stdoutText.contains(expected), "help lacks \(expected)")
        }
        let top = try ChildProcess.run(TestPaths.clipsegBinary, ["--help"])
        XCTAssertTrue(top.stdoutText.contains("segment"), top.stdoutText)
        XCTAssertTrue(top.stdoutText.contains("bench"), top.stdoutText)
    }
}
