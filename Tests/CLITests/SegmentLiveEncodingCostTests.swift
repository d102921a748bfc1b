import Foundation
import TestSupport
import XCTest

/// What a live run does so that the model wins the 2 cores over decoding, composing and encoding:
/// x264's `ultrafast` preset for the video output, and the media threads (capture, compose, sinks and the
/// codecs' own worker threads) as batch threads (`SCHED_BATCH`) at a nice value `ThreadNiceness.liveMedia` (1)
/// above the model's threads. Checked on the real binary: the encoder's settings as x264 records them in the
/// file, and each thread's nice value and policy in /proc.
final class SegmentLiveEncodingCostTests: SegmentModelTestCase {
    func testRealtimeRunsEncodeWithUltrafastAndFileRunsWithVeryfast() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 1, rate: 10)
        for (name, extra, cabac) in [("live.mp4", ["--realtime"], "cabac=0"), ("file.mp4", [], "cabac=1")] {
            let result = try SegmentTestKit.run([clip.path, "--model", model, "--prompt", "cat", "--threads", "1",
                                                 "-o", path(name)] + extra)
            XCTAssertEqual(result.status, 0, result.stderrText)
            XCTAssertEqual(try SegmentTestKit.frameCount(path(name)), 10)
            // x264 writes its settings into the stream (an SEI message): ultrafast turns CABAC off, veryfast keeps it.
            let settings = try XCTUnwrap(x264Settings(path(name)), "\(name) has no x264 settings message")
            XCTAssertTrue(settings.contains(cabac), "\(name): \(settings)")
            XCTAssertEqual(settings.contains("subme=0"), name == "live.mp4", "\(name): \(settings)")
        }
    }

    func testLiveRunLowersTheMediaThreadsAndNotTheModelThreads() throws {
        let clip = folder.path("in.mp4")
        try SegmentTestKit.makeClip(clip, seconds: 8, rate: 10)
        let stats = folder.path("stats.ndjson")
        let run = try RunningSegment([clip.path, "--model", model, "--prompt", "cat", "--threads", "1", "--realtime",
                                      "-o", path("out.mp4"), "--stats", stats.path], folder: folder)
        XCTAssertTrue(eventually { lineCount(stats) >= 5 }, run.stderrText)
        let threads = Self.threads(of: run.process.processIdentifier)
        let (status, stderr) = run.finish()
        XCTAssertEqual(status, 0, stderr)
        XCTAssertEqual(try SegmentTestKit.frameCount(path("out.mp4")), 80, "every frame written")

        let base = try XCTUnwrap(threads.first { $0.name == "clipseg-vision" }?.nice, "\(threads)")
        let lowered = ThreadState(name: "", nice: min(19, base + 1), policy: 3)
        for name in ["clipseg-vision", "clipseg-decoder"] {
            XCTAssertEqual(threads.filter { $0.name == name }.map { [$0.nice, $0.policy] }, [[base, 0]], "\(name): \(threads)")
        }
        for name in ["clipseg-capture", "clipseg-compose", "clipseg-sink0"] {
            XCTAssertEqual(threads.filter { $0.name == name }.map { [$0.nice, $0.policy] }, [[lowered.nice, lowered.policy]],
                           "\(name): \(threads)")
        }
        // FFmpeg's decoding threads and x264's encoding threads, created on the clipseg-codec thread, inherit
        // its name, nice value and policy.
        let codecs = threads.filter { $0.name == "clipseg-codec" }
        XCTAssertFalse(codecs.isEmpty, "\(threads)")
        XCTAssertTrue(codecs.allSatisfy { $0.nice == lowered.nice && $0.policy == lowered.policy }, "\(codecs)")
    }

    /// The text x264 stores in its SEI message (`x264 - core … options: cabac=… ref=…`), up to the first NUL.
    private func x264Settings(_ file: String) throws -> String? {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let marker = Array("x264 - core".utf8)
        guard let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return nil }
        let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private struct ThreadState: CustomStringConvertible {
        var name: String
        var nice: Int
        /// 0 normal, 3 batch.
        var policy: Int
        var description: String { "\(name) nice \(nice) policy \(policy)" }
    }

    /// Name, nice value and scheduling policy of every thread of `pid` (/proc/PID/task/TID/stat: the name in
    /// parentheses, the nice value 17 fields after it and the policy 39).
    private static func threads(of pid: Int32) -> [ThreadState] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task -> ThreadState? in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 38, let nice = Int(fields[16]), let policy = Int(fields[38]) else { return nil }
            return ThreadState(name: String(stat[stat.index(after: open)..<close]), nice: nice, policy: policy)
        }
    }
}
