import Foundation
import TestSupport
import XCTest

/// Every command's standard output on a full device (`> /dev/full`: one line, exit 1) and on a pipe whose
/// reader has gone (`| head -c 1` after it exited: EPIPE, exit 0, nothing on stderr). The real binary runs
/// with SIGPIPE at its default, as a shell starts it, so a program that does not ignore it dies of it.
final class StandardOutputErrorTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes").path
    private let diskFull = "Error: standard output: write failed (No space left on device)\n"

    /// `clipseg ARGUMENTS` through `env --default-signal=PIPE` (the test process may ignore SIGPIPE, and
    /// children inherit that).
    private func run(_ arguments: [String], environment: [String: String] = [:],
                     output: ChildStandardOutput) throws -> ProcessResult {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                             ["--default-signal=PIPE", TestPaths.clipsegBinary.path] + arguments,
                             environment: environment, timeout: 300, standardOutput: output)
    }

    private func assertStandardOutputErrors(_ arguments: [String], environment: [String: String] = [:],
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        let command = "clipseg " + arguments.joined(separator: " ")
        let full = try run(arguments, environment: environment, output: .file("/dev/full"))
        XCTAssertEqual(full.status, 1, "\(command) > /dev/full: \(full.stderrText)", file: file, line: line)
        XCTAssertEqual(full.stderrText, diskFull, "\(command) > /dev/full", file: file, line: line)
        let closed = try run(arguments, environment: environment, output: .closedPipe)
        XCTAssertEqual(closed.status, 0, "\(command) into a closed pipe: \(closed.stderrText)", file: file, line: line)
        XCTAssertEqual(closed.stderrText, "", "\(command) into a closed pipe", file: file, line: line)
    }

    func testTokenize() throws {
        try assertStandardOutputErrors(["tokenize", "--model", model, "a red circle", "a blue square"])
    }

    func testBench() throws {
        try assertStandardOutputErrors(["bench", "--model", model, "--runs", "1", "--warmup", "0", "--threads", "1"])
        try assertStandardOutputErrors(["bench", "--model", model, "--runs", "1", "--warmup", "0", "--threads", "1", "--json"])
    }

    func testDevicesListing() throws {
        let camera = FakeCamera(path: "/tmp/clipseg-fakecam-stdout")
        try assertStandardOutputErrors(["devices", camera.path], environment: try camera.environment())
    }

    func testDevicesCaptureCheck() throws {
        let camera = FakeCamera(path: "/tmp/clipseg-fakecam-stdout-test")
        try assertStandardOutputErrors(["devices", "--test", camera.path, "--frames", "2"],
                                       environment: try camera.environment())
    }

    func testDevicesWithoutCameras() throws {
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "/dev"))?.filter { $0.hasPrefix("video") } ?? []
        try XCTSkipUnless(nodes.isEmpty, "this machine has /dev/video* nodes")
        try assertStandardOutputErrors(["devices"])
    }

    /// `segment` already wrote its outputs through its sinks over MediaIO's writers; the same rule holds for each of them on `-`.
    func testSegmentOutputsOnStandardOutput() throws {
        let video = TestPaths.samples.appendingPathComponent("videos/shapes.mp4").path
        for output in [["--masks", "-"], ["--stats", "-"], ["-o", "-"]] {
            try assertStandardOutputErrors(["segment", video, "--model", model, "--prompt", "red circle", "--quiet"] + output)
        }
    }

    func testHelp() throws {
        try assertStandardOutputErrors(["--help"])
        try assertStandardOutputErrors(["help", "segment"])
        try assertStandardOutputErrors(["segment", "--help"])
        try assertStandardOutputErrors([])
    }

    func testVersion() throws {
        try assertStandardOutputErrors(["--version"])
    }

    /// As a user types it: `set -o pipefail; clipseg … | head -c 1`. The tokenize output (400 lines of 77 ids,
    /// 140 KB) is more than a pipe holds, so the program is still writing when head exits.
    func testShellPipeIntoHeadExitsZero() throws {
        let texts = [String](repeating: String(repeating: "red circle ", count: 40), count: 400)
        for arguments in [["tokenize", "--model", model, "--"] + texts, ["help", "segment"]] {
            let result = try ChildProcess.run(
                URL(fileURLWithPath: "/bin/bash"),
                ["-c", "set -o pipefail; \"$@\" | head -c 1 > /dev/null", "bash",
                 "/usr/bin/env", "--default-signal=PIPE", TestPaths.clipsegBinary.path] + arguments, timeout: 300)
            XCTAssertEqual(result.status, 0, "\(arguments.prefix(3)): \(result.stderrText)")
            XCTAssertEqual(result.stderrText, "", "\(arguments.prefix(3))")
        }
    }
}
