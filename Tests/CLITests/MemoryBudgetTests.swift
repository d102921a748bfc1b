import Foundation
import TestSupport
import XCTest

/// The real binary under an address-space limit (`ulimit -v`) set by the test: a `--size` the limit cannot
/// hold is refused before anything big is loaded — exit status 1, one line naming the size and the largest
/// one that fits, no backtrace — and that largest size then runs under the same limit. Also what happens
/// when not even the smallest size fits. The model is the sample model (patch 8), on which `--size 2048`
/// once crashed allocating 68.7 GB of attention scores.
///
/// The limit is set relative to what the process itself holds when it checks (learned from a first
/// refusal, which says how much it may still use), so the test does not depend on the machine's size.
final class MemoryBudgetTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes").path
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-memory-budget") }
    override func tearDown() { folder?.remove() }

    /// Runs `clipseg arguments` with its address space limited to `kibibytes` KiB.
    private func run(limit kibibytes: Int, _ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(URL(fileURLWithPath: "/bin/bash"),
                             ["-c", "ulimit -v \(kibibytes) && exec \"$0\" \"$@\"", TestPaths.clipsegBinary.path] + arguments,
                             timeout: 600)
    }

    /// A refusal's figures: what the run needs, what the process may use (bytes), the size offered.
    private struct Refusal {
        var needed: Double
        var available: Double
        var largestSize: Int?
    }

    /// Parses the one line of a refusal (status 1, no backtrace) and returns its figures.
    private func refusal(_ result: ProcessResult, size: Int?, file: StaticString = #filePath,
                         line: UInt = #line) throws -> Refusal {
        let text = result.stderrText
        XCTAssertEqual(result.status, 1, text, file: file, line: line)
        XCTAssertEqual(text.split(separator: "\n").count, 1, "one line: \(text)", file: file, line: line)
        for crash in ["Fatal error", "failed to allocate", "Stack dump", "Current stack trace", "backtrace"] {
            XCTAssertFalse(text.contains(crash), text, file: file, line: line)
        }
        let amount = #"about ([0-9.]+) (GB|MB) of memory"#
        let limit = #"more than the ([0-9.]+) (GB|MB) this process may use \(ulimit -v\)"#
        let pattern = size.map { #"^Error: --size \#($0) needs "# + amount + ", " + limit + #"; the largest --size that fits is ([0-9]+)\n$"# }
            ?? (#"^Error: this run needs "# + amount + #" even at the smallest --size \(8\), "# + limit + #": the weights take .*\n$"#)
        let expression = try NSRegularExpression(pattern: pattern)
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            XCTFail("unexpected message: \(text)", file: file, line: line)
            throw XCTSkip("no refusal to read")
        }
        func group(_ index: Int) -> String {
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
        func bytes(_ number: Int) -> Double {
            (Double(group(number)) ?? .nan) * (group(number + 1) == "GB" ? 1e9 : 1e6)
        }
        return Refusal(needed: bytes(1), available: bytes(3), largestSize: size == nil ? nil : Int(group(5)))
    }

    /// The address space the process holds at its check (KiB), learned from a refusal under a 16 GiB limit.
    private func baseline(_ arguments: [String]) throws -> Int {
        let generous = 16 << 20
        let first = try refusal(try run(limit: generous, arguments), size: 2048)
        XCTAssertGreaterThan(first.needed, 17.2e9, "one piece of attention scores of 65,537 tokens")
        return generous - Int(first.available / 1024)
    }

    /// Learns the baseline, has the smallest size refused, then leaves `slack` bytes more than the smallest
    /// size needs: `--size 2048` is refused with a size that fits, which then runs (returned).
    private func refuseThenRunTheOfferedSize(_ arguments: [String], slack: Int) throws -> (size: Int, result: ProcessResult) {
        let held = try baseline(arguments + ["--size", "2048"])
        let tiny = try refusal(try run(limit: held + 100_000, arguments + ["--size", "2048"]), size: nil)
        XCTAssertGreaterThan(tiny.needed, tiny.available)
        let limit = held + Int(tiny.needed) / 1024 + slack / 1024
        let offered = try refusal(try run(limit: limit, arguments + ["--size", "2048"]), size: 2048)
        let size = try XCTUnwrap(offered.largestSize)
        XCTAssertEqual(size % 8, 0, "a multiple of the patch")
        XCTAssertGreaterThanOrEqual(size, 8)
        XCTAssertLessThan(size, 1024)
        return (size, try run(limit: limit, arguments + ["--size", String(size)]))
    }

    func testSegmentRefusesASizeTooLargeForTheLimitAndTheSizeItOffersRuns() throws {
        let clip = folder.path("clip.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.1)
        let masks = folder.path("masks.y4m")
        let (size, result) = try refuseThenRunTheOfferedSize(
            ["segment", clip.path, "--model", model, "--prompt", "red circle", "--threads", "1", "--masks", masks.path,
             "--quiet"], slack: 200_000_000)
        XCTAssertEqual(result.status, 0, "--size \(size): \(result.stderrText)")
        XCTAssertEqual(try SegmentTestKit.y4mFrames(masks).frames.count, 1)
    }

    func testImageRefusesASizeTooLargeForTheLimitAndTheSizeItOffersRuns() throws {
        let picture = folder.path("picture.png")
        try ChildProcess.runTool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120",
                                            "-frames:v", "1", picture.path])
        let logits = folder.path("logits.npy")
        let (size, result) = try refuseThenRunTheOfferedSize(
            ["image", picture.path, "--model", model, "--prompt", "red circle", "--logits", logits.path],
            slack: 120_000_000)
        XCTAssertEqual(result.status, 0, "--size \(size): \(result.stderrText)")
        // The sample model's refined head (patch 8, two transposed convolutions of stride 2) gives logits of half the size.
        XCTAssertEqual(try NPY.readFloat32(logits).shape, [1, size / 2, size / 2])
    }

    /// Nothing was loaded or written before the refusal: the outputs are not there.
    func testARefusalComesBeforeAnyOutputIsOpened() throws {
        let clip = folder.path("clip.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 0.1)
        let output = folder.path("out.mp4"), masks = folder.path("masks.y4m")
        _ = try refusal(try run(limit: 16 << 20, ["segment", clip.path, "--model", model, "--prompt", "cat", "--size", "2048",
                                                  "--threads", "1", "-o", output.path, "--masks", masks.path]), size: 2048)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: masks.path))
    }
}
