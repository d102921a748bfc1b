import VideoFrames

/// A small grey picture of a frame, for motion estimation (`BlockMatching`): the luma
/// `(77 R + 150 G + 29 B) / 256` averaged over `scale × scale` boxes of frame pixels.
///
/// Shape: `width = frameWidth / scale`, `height = frameHeight / scale` (the last `frameWidth % scale` columns
/// and `frameHeight % scale` rows of the frame are left out), `luma` row-major, top row first, one byte per
/// pixel. One thumbnail pixel stands for `scale` frame pixels along each axis. A value type that owns its
/// bytes; making one reads each frame byte once and allocates only `luma` and one row of sums.
public struct LumaThumbnail: Sendable, Equatable {
    /// Frame pixels per thumbnail pixel along each axis (≥ 1).
    public let scale: Int
    /// Size of the frame it was made from, in frame pixels.
    public let frameWidth: Int
    public let frameHeight: Int
    /// Thumbnail size in thumbnail pixels.
    public let width: Int
    public let height: Int
    /// `[height, width]` luma 0…255.
    public let luma: [UInt8]

    /// The thumbnail width motion estimation aims at: wide enough to see objects, small enough to cost ~1 ms.
    public static let targetWidth = 160

    /// The box size that makes a frame `frameWidth` wide about `targetWidth` thumbnail pixels wide
    /// (640 → 4, 1280 → 8, 1920 → 12; never below 1).
    public static func scale(forFrameWidth frameWidth: Int, targetWidth: Int = LumaThumbnail.targetWidth) -> Int {
        max(1, (frameWidth + targetWidth / 2) / max(1, targetWidth))
    }

    /// A thumbnail from thumbnail pixels directly (tests, synthetic pictures); `luma.count` must be `width * height`.
    public init(width: Int, height: Int, scale: Int = 1, luma: [UInt8]) {
        precondition(width >= 0 && height >= 0 && luma.count == width * height && scale >= 1,
                     "LumaThumbnail: \(luma.count) bytes for \(width)x\(height)")
        self.scale = scale
        self.width = width
        self.height = height
        frameWidth = width * scale
        frameHeight = height * scale
        self.luma = luma
    }

    /// The thumbnail of `frame` with boxes of `scale` (default: `scale(forFrameWidth:)`).
    public init(frame: RGBFrame, scale: Int? = nil) {
        let s = max(1, scale ?? Self.scale(forFrameWidth: frame.width))
        let width = frame.width / s, height = frame.height / s, frameWidth = frame.width
        self.scale = s
        self.width = width
        self.height = height
        self.frameWidth = frame.width
        self.frameHeight = frame.height
        guard width > 0, height > 0 else {
            luma = []
            return
        }
        var sums = [UInt32](repeating: 0, count: width)
        luma = [UInt8](unsafeUninitializedCapacity: width * height) { out, initialized in
            frame.pixels.withUnsafeBufferPointer { pixels in
                sums.withUnsafeMutableBufferPointer { sums in
                    let rgb = pixels.baseAddress!, acc = sums.baseAddress!
                    // Sums of 256 × luma over a box: at most 255 · 256 · s², fits UInt32 for s ≤ 256.
                    let divisor = UInt32(s * s) << 8, half = divisor / 2
                    for ty in 0..<height {
                        for i in 0..<width { acc[i] = 0 }
                        for y in (ty * s)..<(ty * s + s) {
                            var p = rgb + y * frameWidth * 3
                            for tx in 0..<width {
                                var sum: UInt32 = 0
                                for _ in 0..<s {
                                    sum &+= 77 &* UInt32(p[0]) &+ 150 &* UInt32(p[1]) &+ 29 &* UInt32(p[2])
                                    p += 3
                                }
                                acc[tx] &+= sum
                            }
                        }
                        let row = out.baseAddress! + ty * width
                        for tx in 0..<width { row[tx] = UInt8(truncatingIfNeeded: (acc[tx] &+ half) / divisor) }
                    }
                }
            }
            initialized = width * height
        }
    }
}
