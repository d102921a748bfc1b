import Foundation
import TestSupport
import XCTest

/// Runs the `ffmpeg` and `ffprobe` command-line tools for MediaIO tests: making small clips and
/// pictures in a temporary folder, and asking ffprobe what a written file holds.
enum MediaTool {
    /// Runs `ffmpeg -hide_banner -loglevel error -y <arguments>` and fails the test on a non-zero exit.
    static func ffmpeg(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try ChildProcess.runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments)
        if result.status != 0 {
            XCTFail("ffmpeg \(arguments.joined(separator: " ")) failed: \(result.stderrText)", file: file, line: line)
            throw ToolFailure(message: result.stderrText)
        }
    }

    /// A `duration`-second lavfi clip (`source` such as `testsrc2=size=64x48:rate=10`) encoded with `codecArguments` into `url`.
    static func makeClip(_ url: URL, source: String, duration: Double, codecArguments: [String],
                         file: StaticString = #filePath, line: UInt = #line) throws {
        try ffmpeg(["-f", "lavfi", "-i", source, "-t", String(duration)] + codecArguments + [url.path], file: file, line: line)
    }

    /// ffprobe's JSON for `url` (`-show_streams -show_format`, plus `-count_frames` when asked).
    static func probe(_ url: URL, countFrames: Bool = false) throws -> ProbeResult {
        var arguments = ["-v", "error", "-print_format", "json", "-show_streams", "-show_format"]
        if countFrames { arguments.append("-count_frames") }
        let result = try ChildProcess.runTool("ffprobe", arguments + [url.path])
        guard result.status == 0 else { throw ToolFailure(message: "ffprobe failed: \(result.stderrText)") }
        return try JSONDecoder().decode(ProbeResult.self, from: result.stdout)
    }

    /// Frames ffmpeg decodes from `url` (a full decode to the null muxer).
    static func decodedFrameCount(_ url: URL) throws -> Int {
        let result = try ChildProcess.runTool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
                                                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url.path])
        guard result.status == 0, let count = Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ToolFailure(message: "ffprobe cannot count frames of \(url.path): \(result.stderrText)")
        }
        return count
    }

    struct ToolFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// The parts of `ffprobe -print_format json` the tests read.
struct ProbeResult: Decodable {
    struct Stream: Decodable {
        var codec_name: String?
        var codec_type: String?
        var width: Int?
        var height: Int?
        var pix_fmt: String?
        var nb_read_frames: String?
        var avg_frame_rate: String?
        var r_frame_rate: String?
    }
    struct Format: Decodable {
        var format_name: String?
        var duration: String?
    }
    var streams: [Stream]
    var format: Format?

    var video: Stream? { streams.first { $0.codec_type == "video" } }
    var audio: [Stream] { streams.filter { $0.codec_type == "audio" } }
}

extension MediaTool {
    /// A lavfi graph of four solid quadrants — red top-left, lime top-right, blue bottom-left,
    /// white bottom-right — `width`×`height` in all, at `rate` frames per second.
    static func quadrants(width: Int, height: Int, rate: Int) -> String {
        let size = "s=\(width / 2)x\(height / 2):r=\(rate)"
        let colors = zip(["red", "lime", "blue", "white"], ["a", "b", "c", "d"])
            .map { "color=c=\($0):\(size),format=rgb24[\($1)];" }.joined()
        return colors
            + "[a][b]hstack[top];[c][d]hstack[bottom];[top][bottom]vstack"
    }

    /// Every frame ffmpeg itself decodes from `url` (display rotation applied), as packed RGB24 bytes.
    static func referenceFrames(_ url: URL, width: Int, height: Int) throws -> [[UInt8]] {
        let result = try ChildProcess.runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", url.path,
                                                         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        guard result.status == 0 else { throw ToolFailure(message: "ffmpeg cannot decode \(url.path): \(result.stderrText)") }
        let frameBytes = width * height * 3
        let data = [UInt8](result.stdout)
        guard frameBytes > 0, data.count % frameBytes == 0 else {
            throw ToolFailure(message: "ffmpeg gave \(data.count) bytes, not a multiple of \(frameBytes)")
        }
        return stride(from: 0, to: data.count, by: frameBytes).map { Array(data[$0..<($0 + frameBytes)]) }
    }

    /// Mean absolute difference between two equally long byte buffers.
    static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        var total = 0
        for i in a.indices { total += abs(Int(a[i]) - Int(b[i])) }
        return Double(total) / Double(a.count)
    }
}
