import MediaIO

/// What replaces the background in `replace` mode (`--background IMAGE|COLOR`).
public enum Background: Sendable, Equatable {
    /// A flat colour.
    case color(RGBColor)
    /// An image, stretched to each frame's size (bilinear; aspect ratio not kept).
    case image(RGBFrame)

    /// Reads a `--background` value: a colour when it parses as one, else an image file loaded by
    /// `loadImage` (the caller's picture-file reader) when `fileExists` says it exists.
    /// Errors are one line: a `#…` that is not a colour gives the colour error; anything else that is
    /// neither a colour nor an existing file says both.
    public static func parse(_ value: String, fileExists: (String) -> Bool,
                             loadImage: (String) throws -> RGBFrame) throws -> Background {
        switch RGBColor.parse(value) {
        case .success(let color):
            return .color(color)
        case .failure(let error):
            if value.hasPrefix("#") { throw BackgroundError(message: "--background: \(error)") }
        }
        guard fileExists(value) else {
            throw BackgroundError(message: "--background '\(value)' is neither a colour (#rrggbb, #rgb or a name "
                                  + "such as green) nor an existing image file")
        }
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

    /// Bilinear resize of an RGB24 image (half-pixel centres, edges clamped).
    public static func stretch(_ image: RGBFrame, width: Int, height: Int) -> [UInt8] {
        if image.width == width && image.height == height { return image.pixels }
        guard image.width > 0, image.height > 0 else { return [UInt8](repeating: 0, count: width * height * 3) }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        func taps(_ source: Int, _ target: Int) -> [(Int, Int, Float)] {
            let scale = Float(source) / Float(target)
            return (0..<target).map { index in
                let position = max(0, scale * (Float(index) + 0.5) - 0.5)
                let lower = min(Int(position), source - 1)
                return (lower, min(lower + 1, source - 1), position - Float(lower))
            }
        }
        let columns = taps(image.width, width), rows = taps(image.height, height)
        image.pixels.withUnsafeBufferPointer { source in
            for (y, (y0, y1, wy)) in rows.enumerated() {
                for (x, (x0, x1, wx)) in columns.enumerated() {
                    for c in 0..<3 {
                        func at(_ yy: Int, _ xx: Int) -> Float { Float(source[(yy * image.width + xx) * 3 + c]) }
                        let top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
                        let bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
                        out[(y * width + x) * 3 + c] = roundedByte(top * (1 - wy) + bottom * wy)
                    }
                }
            }
        }
        return out
    }
}

/// A `--background` value that cannot be used; `description` is the one-line message.
public struct BackgroundError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
