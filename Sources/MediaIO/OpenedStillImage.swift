import VideoFrames

/// A still image (or a video's first picture) opened by FFmpeg, its size known from the stream parameters
/// but nothing decoded yet: a caller can weigh the picture's size (its pixels, the memory a run will need)
/// before `decode()` allocates it. Owns the FFmpeg decoder until `decode()` or `close()` (or deinit).
/// One thread at a time.
public final class OpenedStillImage {
    /// The input as named by the caller (a path, a URL or `-`).
    public let name: String
    /// The picture's size once upright (display rotation applied), in pixels.
    public let width: Int
    public let height: Int

    private var decoder: VideoStreamDecoder?

    /// Opens `path` (a path, a URL string, or `-` for standard input). Throws a `MediaError` naming it,
    /// `MediaError.tooManyPixels` when its picture is larger than `maximumPixels`.
    public init(path: String, maximumPixels: Int = PixelLimit.defaultMaximum) throws {
        let decoder = try VideoStreamDecoder(location: InputLocation(path), threaded: false, maximumPixels: maximumPixels)
        let size = decoder.rotation.rotatedSize(width: decoder.codedWidth, height: decoder.codedHeight)
        name = path
        width = size.width
        height = size.height
        self.decoder = decoder
    }

    deinit { decoder?.close() }

    /// Decodes the first picture into an RGB24 frame (alpha dropped, display rotation applied) and closes
    /// the input.
    public func decode() throws -> RGBFrame {
        guard let decoder else { throw MediaError.decodeFailed(name, reason: "already decoded or closed") }
        defer { close() }
        guard let frame = try decoder.nextFrame() else {
            throw MediaError.decodeFailed(name, reason: "no picture in the file")
        }
        let picture = try RGBConverter(name: name).convert(frame)
        return decoder.rotation.apply(to: picture)
    }

    /// Frees the decoder without decoding.
    public func close() {
        decoder?.close()
        decoder = nil
    }
}
