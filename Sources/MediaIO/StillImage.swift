import CFFmpeg
import FileSafety
import Foundation
import VideoFrames

/// Reading and writing single pictures (prompt images, `clipseg image` inputs and outputs).
public enum StillImage {
    /// Decodes the first picture of any image (or video) FFmpeg reads — PNG, JPEG, BMP, WebP, TIFF, GIF, … —
    /// into an RGB24 frame (alpha dropped, display rotation applied). Throws a `MediaError` naming the file.
    public static func load(url: URL) throws -> RGBFrame {
        try load(path: displayName(of: url))
    }

    /// As `load(url:)`, from a path, a URL string, or `-` for standard input. A picture larger than
    /// `maximumPixels` is refused before it is decoded (`MediaError.tooManyPixels`).
    public static func load(path: String, maximumPixels: Int = PixelLimit.defaultMaximum) throws -> RGBFrame {
        try OpenedStillImage(path: path, maximumPixels: maximumPixels).decode()
    }

    /// Writes `frame` as an 8-bit RGB PNG file at `url` (see `WholeFileWrite`: a new or replaceable file is
    /// replaced whole once written; a device or pipe is written in place).
    public static func writePNG(_ frame: RGBFrame, to url: URL) throws {
        let name = displayName(of: url)
        let bytes = try pngBytes(frame, name: name)
        do {
            try WholeFileWrite.write(bytes, to: name)
        } catch {
            throw MediaError.writeFailed(name, reason: error.reason)
        }
    }

    /// The bytes of an 8-bit RGB PNG file of `frame`; `name` is what errors call it.
    public static func pngBytes(_ frame: RGBFrame, name: String) throws -> [UInt8] {
        let encoder = try PNGEncoder(width: frame.width, height: frame.height, format: AV_PIX_FMT_RGB24, name: name)
        return try encoder.encode(frame.pixels)
    }

    /// A file URL as the user would write it (relative paths stay relative); other URLs in full.
    static func displayName(of url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }
}
