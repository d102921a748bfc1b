import VideoFrames

/// What replaces the background in `replace` mode (`--background IMAGE|COLOR`).
public enum Background: Sendable, Equatable {
    /// A flat colour.
    case color(RGBColor)
    /// An image, stretched to each frame's size (bilinear; aspect ratio not kept).
    case image(RGBFrame)

    /// Reads a `--background` value: a colour when it parses as one, else an image file loaded by
    /// `loadImage` (the caller's picture-file reader) when `fileExists` says it exists.
    /// A `#…` that is not a colour throws `.invalidColor`; anything else that is neither a colour nor an
    /// existing file throws `.neitherColorNorFile`.
    public static func parse(_ value: String, fileExists: (String) -> Bool,
                             loadImage: (String) throws -> RGBFrame) throws -> Background {
        switch RGBColor.parse(value) {
        case .success(let color):
            return .color(color)
        case .failure(let error):
            if value.hasPrefix("#") { throw BackgroundError.invalidColor(error) }
        }
        guard fileExists(value) else { throw BackgroundError.neitherColorNorFile(value) }
        return .image(try loadImage(value))
    }

    /// RGB24 pixels of this background at `width × height` (`height` rows of `width * 3` bytes).
    public func pixels(width: Int, height: Int) -> [UInt8] {
        switch self {
        case .color(let color):
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for i in stride(from: 0, to: pixels.count, by: 3) {
                pixels[i] = color.red
                pixels[i + 1] = color.green
                pixels[i + 2] = color.blue
            }
            return pixels
        case .image(let image):
            return Self.stretch(image, width: width, height: height)
        }
    }

    /// Bilinear resize of an RGB24 image (half-pixel centres, edges clamped): each channel through the masks'
    /// `BilinearResampler`, rounded to bytes.
    public static func stretch(_ image: RGBFrame, width: Int, height: Int) -> [UInt8] {
        if image.width == width && image.height == height { return image.pixels }
        let targetPlane = width * height, sourcePlane = image.width * image.height
        var out = [UInt8](repeating: 0, count: targetPlane * 3)
        guard sourcePlane > 0, targetPlane > 0 else { return out }
        var resampler = BilinearResampler(sourceWidth: image.width, sourceHeight: image.height,
                                          targetWidth: width, targetHeight: height)
        var channel = [Float](repeating: 0, count: sourcePlane)
        var resized = [Float](repeating: 0, count: targetPlane)
        for c in 0..<3 {
            image.pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<sourcePlane { channel[i] = Float(pixels[3 * i + c]) }
            }
            channel.withUnsafeBufferPointer { source in
                resized.withUnsafeMutableBufferPointer { target in resampler.resample(source, into: target) }
            }
            for i in 0..<targetPlane { out[3 * i + c] = roundedByte(resized[i]) }
        }
        return out
    }
}

/// A background value that cannot be used; `description` is the one-line message (it quotes the value, and a
/// command line puts the name of its option in front).
public enum BackgroundError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value starts with `#` but is not a colour.
    case invalidColor(ColorParseError)
    /// The value is neither a colour nor the name of an existing file.
    case neitherColorNorFile(String)

    public var description: String {
        switch self {
        case .invalidColor(let error):
            "\(error)"
        case .neitherColorNorFile(let value):
            "'\(value)' is neither a colour (#rrggbb, #rgb or a name such as green) nor an existing image file"
        }
    }
}
