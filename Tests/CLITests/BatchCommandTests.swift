import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg batch`: jobs run N at a time as child processes, a failing job does not stop the others, the
/// report, resuming after the whole batch was killed (partial files never trusted), a bad manifest line.
final class BatchCommandTests: XCTestCase {
    private var folder: TemporaryDirectory!
    private var model = ""

    override func setUpWithError() throws {
        folder = try TemporaryDirectory()
        model = try SegmentTestKit.makeModel(in: folder)
        try FileManager.default.createDirectory(at: folder.path("out"), withIntermediateDirectories: true)
    }

    override func tearDown() { folder.remove() }

    private func clip(_ name: String, seconds: Double = 1) throws -> String {
        let url = folder.path(name)
        try SegmentTestKit.makeClip(url, seconds: seconds)
        return url.path
    }

    private func writeManifest(_ lines: [String]) throws -> String {
        let path = folder.path("jobs.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func job(_ input: String, _ name: String, extra: String = "") -> String {
        let out = folder.path("out").path
        return "{\"input\": \"\(input)\", \"prompts\": [\"a circle\"], \"masks\": \"\(out)/\(name).y4m\", "
            + "\"stats\": \"\(out)/\(name).ndjson\", \"id\": \"\(name)\"\(extra)}"
    }

    private func batch(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["batch"] + arguments + ["--model", model], timeout: 240)
    }

    private func report(_ name: String) throws -> [String: [String: Any]] {
        let lines = try SegmentTestKit.statistics(folder.path(name))
        return Dictionary(uniqueKeysWithValues: lines.map { ($0["id"] as? String ?? "", $0) })
    }

    private func outputNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path("out").path).sorted()
    }

    func testJobsRunTwoAtATimeAndAFailingJobDoesNotStopTheOthers() throws {
        let a = try clip("a.mp4"), b = try clip("b.mp4")
        let manifest = try writeManifest([
            job(a, "a"), job(folder.path("missing.mp4").path, "broken"), "", job(b, "b"),
        ])
        let result = try batch([manifest, "--jobs", "2", "--threads", "2", "--report", folder.path("report.ndjson").path])
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertEqual(try outputNames(), ["a.ndjson", "a.y4m", "b.ndjson", "b.y4m"])
        XCTAssertEqual(try SegmentTestKit.y4mFrames(folder.path("out/a.y4m")).frames.count, 10)
        XCTAssertEqual(lineCount(folder.path("out/b.ndjson")), 10)

        let jobs = try report("report.ndjson")
        XCTAssertEqual(Set(jobs.keys), ["a", "broken", "b"])
        XCTAssertEqual(jobs["a"]?["status"] as? String, "done")
        XCTAssertEqual(jobs["a"]?["frames"] as? Int, 10)
        XCTAssertEqual(jobs["a"]?["line"] as? Int, 1)
        XCTAssertEqual(jobs["b"]?["line"] as? Int, 4)
        XCTAssertEqual(jobs["a"]?["exit"] as? Int, 0)
        XCTAssertTrue(jobs["a"]?["error"] is NSNull)
        XCTAssertGreaterThan(jobs["a"]?["seconds"] as? Double ?? 0, 0)
        XCTAssertEqual(jobs["broken"]?["status"] as? String, "failed")
        XCTAssertEqual(jobs["broken"]?["exit"] as? Int, 1)
        XCTAssertEqual(jobs["broken"]?["error"] as? String, "\(folder.path("missing.mp4").path): no such file")
        XCTAssertEqual(jobs["broken"]?["outputs"] as? [String], [folder.path("out/broken.y4m").path, folder.path("out/broken.ndjson").path])
        // --jobs 2: the first two jobs ran at the same time.
        let first = try XCTUnwrap(jobs["a"]), second = try XCTUnwrap(jobs["broken"])
        XCTAssertLessThan(first["started"] as? Double ?? 0, second["ended"] as? Double ?? 0)
        XCTAssertLessThan(second["started"] as? Double ?? 0, first["ended"] as? Double ?? 0)
        // The summary table names the failure.
        XCTAssertTrue(result.stderrText.contains("batch: 3 jobs: 2 done, 1 failed, 0 skipped; 20 frames"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("broken  failed"), result.stderrText)
    }

    func testResumeAfterTheWholeBatchWasKilledRedoesOnlyUnfinishedJobs() throws {
        let a = try clip("a.mp4"), long = try clip("long.mp4", seconds: 30), c = try clip("c.mp4")
        let manifest = try writeManifest([job(a, "a"), job(long, "long"), job(c, "c")])
        let running = try RunningSegment([manifest, "--jobs", "1", "--threads", "1", "--model", model], folder: folder,
                                         command: "batch")
        // Kill the batch (SIGKILL: nothing can clean up) once job a is done and job long has written some frames.
        let partialStats = { try? self.outputNames().first { $0.hasPrefix(".long.partial-") && $0.hasSuffix(".ndjson") } }
        XCTAssertTrue(eventually(120) {
            guard let name = partialStats() ?? nil else { return false }
            return lineCount(self.folder.path("out/\(name)")) >= 3
        }, running.stderrText)
        let children = childProcesses(of: running.process.processIdentifier)
        running.send(SIGKILL)
        _ = running.finish()
        XCTAssertFalse(children.isEmpty)
        // The child dies with its parent (parent-death signal), so nothing writes to the partial files any more.
        XCTAssertTrue(eventually(30) { children.allSatisfy { !isAlive($0) } }, "segment child outlived the batch")
        var names = try outputNames()
        XCTAssertTrue(names.contains("a.y4m") && names.contains("a.ndjson"), "\(names)")
        XCTAssertFalse(names.contains("long.y4m") || names.contains("long.ndjson"), "\(names)")
        XCTAssertTrue(names.contains { $0.hasPrefix(".long.partial-") }, "\(names)")
        let finishedA = try Data(contentsOf: folder.path("out/a.y4m"))

        let rerun = try batch([manifest, "--resume", "--jobs", "1", "--threads", "1", "--report", folder.path("report.ndjson").path])
        XCTAssertEqual(rerun.status, 0, rerun.stderrText)
        let jobs = try report("report.ndjson")
        XCTAssertEqual(jobs["a"]?["status"] as? String, "skipped")
        XCTAssertEqual(jobs["long"]?["status"] as? String, "done")
        XCTAssertEqual(jobs["long"]?["frames"] as? Int, 300)
        XCTAssertEqual(jobs["c"]?["status"] as? String, "done")
        names = try outputNames()
        XCTAssertEqual(names, ["a.ndjson", "a.y4m", "c.ndjson", "c.y4m", "long.ndjson", "long.y4m"])
        XCTAssertEqual(lineCount(folder.path("out/long.ndjson")), 300)
        XCTAssertEqual(try Data(contentsOf: folder.path("out/a.y4m")), finishedA)
    }

    func testABadManifestLineStopsTheBatchBeforeAnyJobRuns() throws {
        let a = try clip("a.mp4")
        let manifest = try writeManifest([job(a, "a"), "{\"input\": \"\(a)\", \"prompts\": \"a circle\", \"masks\": \"x.y4m\"}"])
        let result = try batch([manifest])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderrText, "Error: \(manifest) line 2: \"prompts\" must be a list of strings, not a string\n")
        XCTAssertEqual(try outputNames(), [])

        let clash = try writeManifest([job(a, "a"), job(a, "a")])
        let twice = try batch([clash])
        XCTAssertEqual(twice.status, 64)
        XCTAssertTrue(twice.stderrText.contains("line 2: output \(folder.path("out").path)/a.y4m is also an output or input of line 1"),
                      twice.stderrText)
    }

    /// A job whose output is its own input (here through a hard link, under another name), even with -y: refused
    /// before anything runs, the input untouched.
    func testAnOutputThatReachesAnInputIsRefusedEvenWithOverwrite() throws {
        let a = try clip("a.mp4")
        let link = folder.path("out/same.mp4").path
        XCTAssertEqual(Glibc.link(a, link), 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: a))
        let manifest = try writeManifest(["{\"input\": \"\(a)\", \"prompts\": [\"a circle\"], \"output\": \"\(link)\"}"])
        let result = try batch([manifest, "-y"])
        XCTAssertEqual(result.status, 64, result.stderrText)
        XCTAssertEqual(result.stderrText, "Error: \(manifest): line 1 -o \(link) would write over line 1 input \(a) (the same file); "
                       + "an output never replaces an input\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), before)
    }
}

/// Process ids of `pid`'s children (every thread's).
private func childProcesses(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { task in
        ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int32($0) }
    }
}

/// True while `pid` runs (a zombie waiting to be reaped does not).
private func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
}

/// Ctrl-C: the running children get SIGINT, no partial file is left, the batch exits 130.
final class BatchInterruptTests: XCTestCase {
    func testSIGINTStopsTheChildrenRemovesPartialsAndExits130() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try SegmentTestKit.makeModel(in: folder)
        let long = folder.path("long.mp4")
        try SegmentTestKit.makeClip(long, seconds: 30)
        let lines = (1...3).map { "{\"input\": \"\(long.path)\", \"prompts\": [\"a circle\"], \"stats\": \"\(folder.path("s\($0).ndjson").path)\"}" }
        let manifest = folder.path("jobs.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: manifest)
        let running = try RunningSegment([manifest.path, "--jobs", "2", "--threads", "2", "--model", model,
                                          "--report", folder.path("report.ndjson").path], folder: folder, command: "batch")
        let partials = { ((try? FileManager.default.contentsOfDirectory(atPath: folder.url.path)) ?? []).filter { $0.contains(".partial-") } }
        XCTAssertTrue(eventually(120) { partials().count == 2 && partials().allSatisfy { lineCount(folder.path($0)) >= 2 } },
                      running.stderrText)
        running.send(SIGINT)
        let ended = running.finish()
        XCTAssertEqual(ended.status, 130, ended.stderr)
        XCTAssertEqual(partials(), [])
        let statuses = try SegmentTestKit.statistics(folder.path("report.ndjson")).map { $0["status"] as? String ?? "" }
        XCTAssertEqual(statuses, ["interrupted", "interrupted", "interrupted"])
        XCTAssertTrue(ended.stderr.contains("3 interrupted"), ended.stderr)
        for n in 1...3 { XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path("s\(n).ndjson").path)) }
    }
}
