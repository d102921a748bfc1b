import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Shared pieces of the `clipseg segment` end-to-end tests: a small model folder (the random-weight
/// fixture `p16-refined-bf16-clipvocab` with the CLIP tokenizer of Samples/models/shapes), clips made by
/// the ffmpeg CLI, ffprobe and y4m readers, the summary's counts, and a child process the test can talk
/// to while it runs (stdin, signals, resident memory).
enum SegmentTestKit {
    static let fixture = TestPaths.fixtures.appendingPathComponent("clipseg/p16-refined-bf16-clipvocab")

    /// Copies the fixture model and the tokenizer into `folder/model`; returns its path.
    static func makeModel(in folder: TemporaryDirectory) throws -> String {
        let model = folder.path("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for file in ["config.json", "preprocessor_config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: model.appendingPathComponent(file))
        }
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TestPaths.samples.appendingPathComponent("models/shapes/\(file)"),
                                             to: model.appendingPathComponent(file))
        }
        return model.path
    }

    /// An H.264 clip of moving test patterns (`testsrc2`), with a 440 Hz AAC track when `audio`.
    static func makeClip(_ url: URL, seconds: Double, rate: Int = 10, size: String = "160x120", audio: Bool = false) throws {
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate):duration=\(seconds)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)"] }
        arguments += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10"]
        if audio { arguments += ["-c:a", "aac", "-shortest"] }
        let result = try ChildProcess.runTool("ffmpeg", arguments + [url.path])
        guard result.status == 0 else { throw KitError("ffmpeg failed: \(result.stderrText)") }
    }

    /// The first frame of `clip` as `frame.png` in `folder` (made once), for `clipseg image`.
    static func stillFrame(of clip: String, in folder: TemporaryDirectory) throws -> String {
        let picture = folder.path("frame.png").path
        if FileManager.default.fileExists(atPath: picture) { return picture }
        let result = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-i", clip, "-frames:v", "1", picture])
        guard result.status == 0 else { throw KitError("ffmpeg failed: \(result.stderrText)") }
        return picture
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil,
                    timeout: TimeInterval = 180) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["segment"] + arguments, stdin: stdin, environment: environment,
                             timeout: timeout)
    }

    /// Pooled IoU of two mask sequences, a pixel being set from 128 on.
    static func pooledIoU(_ a: [[UInt8]], _ b: [[UInt8]]) -> Double {
        var intersection = 0, union = 0
        for (x, y) in zip(a, b) {
            for i in 0..<min(x.count, y.count) {
                let p = x[i] >= 128, q = y[i] >= 128
                if p && q { intersection += 1 }
                if p || q { union += 1 }
            }
        }
        return union == 0 ? 1 : Double(intersection) / Double(union)
    }

    // MARK: Reading outputs

    /// Decoded frame count of the first video stream (`ffprobe -count_frames`).
    static func frameCount(_ path: String) throws -> Int {
        let text = try probe(["-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames",
                              "-of", "csv=p=0", path])
        guard let count = Int(text.split(separator: ",").first ?? "") else { throw KitError("no frame count for \(path): \(text)") }
        return count
    }

    /// `width,height` of the first video stream.
    static func frameSize(_ path: String) throws -> String {
        try probe(["-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path])
    }

    /// Presentation times of every video frame, in seconds.
    static func frameTimes(_ path: String) throws -> [Double] {
        let text = try probe(["-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "csv=p=0", path])
        return text.split(separator: "\n").compactMap { Double($0.split(separator: ",").first ?? "") }
    }

    /// Codec types of all streams (`video`, `audio`).
    static func streamTypes(_ path: String) throws -> [String] {
        try probe(["-show_entries", "stream=codec_type", "-of", "csv=p=0", path]).split(separator: "\n").map(String.init)
    }

    private static func probe(_ arguments: [String]) throws -> String {
        let result = try ChildProcess.runTool("ffprobe", ["-v", "error"] + arguments)
        guard result.status == 0 else { throw KitError("ffprobe \(arguments.last ?? ""): \(result.stderrText)") }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The frames of a YUV4MPEG2 gray stream as written by `--masks` (header, then `FRAME\n` + bytes).
    static func y4mFrames(_ url: URL) throws -> (width: Int, height: Int, frames: [[UInt8]]) {
        let data = [UInt8](try Data(contentsOf: url))
        guard let newline = data.firstIndex(of: 10) else { throw KitError("no y4m header") }
        let header = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ")
        guard header.first == "YUV4MPEG2", header.contains("Cmono"),
              let width = header.first(where: { $0.hasPrefix("W") }).flatMap({ Int($0.dropFirst()) }),
              let height = header.first(where: { $0.hasPrefix("H") }).flatMap({ Int($0.dropFirst()) }) else {
            throw KitError("bad y4m header \(header)")
        }
        var frames: [[UInt8]] = []
        var position = newline + 1
        let marker = Array("FRAME\n".utf8)
        while position < data.count {
            guard Array(data[position..<min(position + 6, data.count)]) == marker,
                  position + 6 + width * height <= data.count else { throw KitError("bad y4m frame at byte \(position)") }
            frames.append(Array(data[(position + 6)..<(position + 6 + width * height)]))
            position += 6 + width * height
        }
        return (width, height, frames)
    }

    /// The NDJSON lines of a `--stats` file, parsed.
    static func statistics(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw KitError("not a JSON object: \(line)")
            }
            return object
        }
    }

    static func promptNames(_ line: [String: Any]) -> [String] {
        ((line["prompts"] as? [[String: Any]]) ?? []).compactMap { $0["prompt"] as? String }
    }

    /// The counts of the summary line `frames: read R, processed P, dropped D, written W; vision encoder runs V, decoder runs X; …`.
    struct Counts: Equatable {
        var read, processed, dropped, written, visionRuns, decoderRuns: Int
    }

    static func counts(in stderr: String) throws -> Counts {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("frames: read ") }) else {
            throw KitError("no summary counts in: \(stderr)")
        }
        func number(after label: String) throws -> Int {
            guard let range = line.range(of: label + " ") else { throw KitError("no '\(label)' in \(line)") }
            guard let value = Int(line[range.upperBound...].prefix { $0.isNumber }) else { throw KitError("bad \(label) in \(line)") }
            return value
        }
        return Counts(read: try number(after: "read"), processed: try number(after: "processed"),
                      dropped: try number(after: "dropped"), written: try number(after: "written"),
                      visionRuns: try number(after: "vision encoder runs"), decoderRuns: try number(after: "decoder runs"))
    }

    struct KitError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// `clipseg segment` running as a child process the test talks to while it runs: writes to its standard
/// input, sends signals, reads its resident memory; standard output and error go to files.
final class RunningSegment {
    let process = Process()
    private let input = Pipe()
    let stdoutURL: URL
    let stderrURL: URL

    init(_ arguments: [String], folder: TemporaryDirectory, environment: [String: String] = [:],
         command: String = "segment") throws {
        stdoutURL = folder.path("child-stdout-\(UUID().uuidString)")
        stderrURL = folder.path("child-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = TestPaths.clipsegBinary
        process.arguments = [command] + arguments
        process.environment = ChildProcess.childEnvironment(environment)
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        signal(SIGPIPE, SIG_IGN)
        try process.run()
    }

    func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }
    /// Raw bytes (invalid UTF-8, NUL, …) to the child's standard input.
    func write(bytes: [UInt8]) throws { try input.fileHandleForWriting.write(contentsOf: Data(bytes)) }
    func closeInput() throws { try input.fileHandleForWriting.close() }
    func send(_ signalNumber: Int32) { kill(process.processIdentifier, signalNumber) }

    /// Resident memory in KiB (`VmRSS` of /proc/PID/status), nil once the process is gone.
    var residentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Waits for the exit (killing the child after `timeout` seconds); returns the status and stderr.
    func finish(timeout: TimeInterval = 120) -> (status: Int32, stderr: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }

    var stderrText: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every 20 ms for at most `seconds` (waiting on a child's progress, not timing it).
func eventually(_ seconds: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Lines in a text file now (0 when missing).
func lineCount(_ url: URL) -> Int {
    ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").count
}
