import CFFmpeg
import Foundation

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

    /// Writes `frame` as an 8-bit RGB PNG file at `url` (created or replaced).
    public static func writePNG(_ frame: RGBFrame, to url: URL) throws {
        let name = displayName(of: url)
        let encoder = try PNGEncoder(width: frame.width, height: frame.height, format: AV_PIX_FMT_RGB24, name: name)
        let bytes = try encoder.encode(frame.pixels)
        let sink = try ByteSink(path: name)
        try sink.write(bytes)
        try sink.close()
    }

    /// A file URL as the user would write it (relative paths stay relative); other URLs in full.
    static func displayName(of url: URL) -> String {
        url.isFileURL ? url.relativePath : url.absoluteString
    }
}
