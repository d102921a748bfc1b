import Foundation

/// The fake V4L2 output device of `Tests/FakeCamera/fakecam_output.c` — a v4l2loopback virtual camera as
/// FFmpeg's `video4linux2` output device and clipseg see it — in the same LD_PRELOAD library as
/// `FakeCamera`. Every frame written is appended to `framesFile`, every format call and frame to `logFile`.
///
/// Pass `environment()` to a child (merged with a `FakeCamera`'s when both are used).
public struct FakeOutputDevice: Sendable {
    /// Where the fake device answers (no file is created there).
    public var path: String
    /// Accepted four-character codes, in ENUM_FMT order (default YUYV, YU12).
    public var formats: [String]?
    /// After this many frames the device goes away (writes and ioctls fail with ENODEV).
    public var goneAfter: Int?
    public let framesFile: URL
    public let logFile: URL

    /// A device at `path` recording into `folder`.
    public init(path: String, recordingInto folder: URL) {
        self.path = path
        framesFile = folder.appendingPathComponent("fake-output-frames.raw")
        logFile = folder.appendingPathComponent("fake-output.log")
    }

    /// `LD_PRELOAD` plus the `CLIPSEG_FAKECAM_OUTPUT_*` variables.
    public func environment() throws -> [String: String] {
        var env = ["LD_PRELOAD": try FakeCamera.library().path, "CLIPSEG_FAKECAM_OUTPUT_PATH": path,
                   "CLIPSEG_FAKECAM_OUTPUT_FRAMES": framesFile.path, "CLIPSEG_FAKECAM_OUTPUT_LOG": logFile.path]
        if let formats { env["CLIPSEG_FAKECAM_OUTPUT_FORMATS"] = formats.joined(separator: ",") }
        if let goneAfter { env["CLIPSEG_FAKECAM_OUTPUT_GONE_AFTER"] = String(goneAfter) }
        return env
    }

    /// The lines of the log (`open`, `TRY_FMT YUYV 160x120 ok`, `S_FMT YUYV 160x120 sizeimage 38400`,
    /// `S_PARM 1/30`, `frame N BYTES`, `gone`, `close`); empty when nothing was logged.
    public func log() -> [String] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// The frames written, each `frameBytes` long (a shorter tail is an error).
    public func frames(frameBytes: Int) throws -> [[UInt8]] {
        guard let data = try? Data(contentsOf: framesFile) else { return [] }
        guard data.count % frameBytes == 0 else {
            throw FakeCameraError("\(data.count) bytes written are not whole frames of \(frameBytes) bytes")
        }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: frameBytes).map { Array(bytes[$0..<$0 + frameBytes]) }
    }
}
