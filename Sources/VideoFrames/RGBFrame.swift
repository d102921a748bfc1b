/// One video frame or still image as packed 8-bit RGB (RGB24), owned by Swift.
///
/// `pixels` holds `height` rows of `width * 3` bytes each, top row first, no padding.
/// No FFmpeg or V4L2 pointer is kept: readers copy into this buffer, so a frame can cross
/// threads and actors freely.
public struct RGBFrame: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// RGB24 bytes, `width * height * 3` of them, row-major, top row first.
    public var pixels: [UInt8]
    /// Presentation time in seconds from the start of the source (0 for still images).
    public var timestamp: Double
    /// Position of the frame in its source, counting from 0.
    public var index: Int

    public init(width: Int, height: Int, pixels: [UInt8], timestamp: Double = 0, index: Int = 0) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBFrame \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.timestamp = timestamp
        self.index = index
    }

    /// A black frame of the given size.
    public init(width: Int, height: Int, timestamp: Double = 0, index: Int = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3),
                  timestamp: timestamp, index: index)
    }

    /// Bytes per row (`width * 3`).
    public var rowBytes: Int { width * 3 }
}
