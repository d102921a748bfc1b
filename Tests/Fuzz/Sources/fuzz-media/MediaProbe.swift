import Foundation
import FuzzSupport
import MediaIO
import VideoFrames

/// What the media target checks for one input, written to a file (FFmpeg reads it like any other;
/// the name has no extension, so the container is found by probing the bytes):
/// - `StillImage.load` returns an RGB picture whose pixel count matches its size, or throws one line;
/// - `VideoFileSource` opens or throws one line; its frames (at most `frameLimit`) match
///   `SourceInfo`'s promise of RGB24 pictures with consecutive indices and finite times, every warning
///   is one line, and `close()` releases everything (LeakSanitizer checks after each input).
///
/// Limits (the harness's, not the library's): `frameLimit` frames per input, and no frames are read
/// when the announced size exceeds `pixelLimit` (FFmpeg accepts up to 16384² pictures; decoding one
/// legitimately needs gigabytes, which libFuzzer's memory limit would report as a failure).
enum MediaProbe {
    static let frameLimit = 12
    static let pixelLimit = 4096 * 4096

    static func prepare() {
        // FFmpeg's one-time registration and log capture happen on first use; do them here so the
        // per-input leak check never sees them.
        let input = ScratchDirectory.shared.write(Array("not media".utf8), to: "input")
        _ = try? StillImage.load(path: input.path)
        _ = try? VideoFileSource(path: input.path)
    }

    static func check(_ bytes: UnsafeRawBufferPointer) {
        let path = ScratchDirectory.shared.write(bytes, to: "input").path
        checkStill(path)
        checkVideo(path)
    }

    private static func checkStill(_ path: String) {
        do {
            let picture = try StillImage.load(path: path)
            checkPicture(picture, context: "still image")
        } catch {
            FuzzCheck.requireOneLine(error)
        }
    }

    private static func checkVideo(_ path: String) {
        let source: VideoFileSource
        do {
            source = try VideoFileSource(path: path)
        } catch {
            FuzzCheck.requireOneLine(error)
            return
        }
        defer { source.close() }
        let info = source.info
        FuzzCheck.require(info.width > 0 && info.height > 0, "opened a video of \(info.width)×\(info.height)")
        guard info.width <= pixelLimit / info.height else { return }
        do {
            for index in 0..<frameLimit {
                guard let frame = try source.nextFrame() else { break }
                checkPicture(frame, context: "frame \(index)")
                FuzzCheck.require(frame.index == index, "frame \(index) has index \(frame.index)")
                FuzzCheck.require(frame.timestamp.isFinite, "frame \(index) at \(frame.timestamp) s")
            }
        } catch {
            FuzzCheck.requireOneLine(error)
        }
        for warning in source.warnings {
            FuzzCheck.require(!warning.isEmpty && !warning.contains(where: \.isNewline),
                              "warning is not one line: \(warning.debugDescription)")
        }
    }

    private static func checkPicture(_ picture: RGBFrame, context: String) {
        FuzzCheck.require(picture.width > 0 && picture.height > 0 && picture.pixels.count == picture.width * picture.height * 3,
                          "\(context): \(picture.pixels.count) bytes for \(picture.width)×\(picture.height) RGB")
    }
}
