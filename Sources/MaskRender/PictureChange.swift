/// How much the picture changed between two frames, block by block: the motion estimate of motion-aware
/// mask smoothing (`MotionAwareSmoothing`). The same kind of measure as the model's token reuse (how much each
/// part of the input changed since the frame last computed), taken on `LumaThumbnail`s as `BlockMatching` is.
///
/// A block is `blockSize × blockSize` thumbnail pixels (4 at the default thumbnail scale: 16 × 16 frame pixels
/// of a 640-wide frame). Its change is the mean absolute luma difference over its pixels, in luma levels
/// (0…255), less the frame's noise floor (the median block change, at most `noiseFloorLimit`: most of a
/// webcam's picture is still, so the median is what sensor noise and compression alone change), then the
/// maximum over the block and its 8 neighbours, so that the edge of a moving object counts as changed on both
/// sides. Shape `[height, width]` blocks, row-major; a value type that owns its numbers.
public struct PictureChange: Sendable, Equatable {
    /// Size in blocks.
    public let width: Int
    public let height: Int
    /// `[height, width]` change per block in luma levels above the noise floor (≥ 0).
    public let change: [Float]

    /// The highest noise floor subtracted: a median above it is motion of the whole picture (a camera pan).
    public static let noiseFloorLimit: Float = 4

    /// A change map from its numbers directly (tests); `change.count` must be `width * height`.
    public init(width: Int, height: Int, change: [Float]) {
        precondition(width > 0 && height > 0 && change.count == width * height,
                     "PictureChange: \(change.count) values for \(width)x\(height) blocks")
        self.width = width
        self.height = height
        self.change = change
    }

    /// The change from `previous` to `current`; nil when the thumbnails differ in size or are empty.
    public init?(from previous: LumaThumbnail, to current: LumaThumbnail, blockSize: Int = 4) {
        guard previous.width == current.width, previous.height == current.height, previous.scale == current.scale,
              current.width > 0, current.height > 0, blockSize >= 1 else { return nil }
        let width = (current.width + blockSize - 1) / blockSize, height = (current.height + blockSize - 1) / blockSize
        var sums = [Float](repeating: 0, count: width * height)
        var counts = [Float](repeating: 0, count: width * height)
        for y in 0..<current.height {
            let row = y * current.width, blockRow = (y / blockSize) * width
            for x in 0..<current.width {
                let difference = abs(Int(current.luma[row + x]) - Int(previous.luma[row + x]))
                sums[blockRow + x / blockSize] += Float(difference)
                counts[blockRow + x / blockSize] += 1
            }
        }
        let means = zip(sums, counts).map { $0 / $1 }
        let floor = min(Self.noiseFloorLimit, means.sorted()[means.count / 2])
        let excess = means.map { max(0, $0 - floor) }
        var spread = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var most: Float = 0
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) { most = max(most, excess[ny * width + nx]) }
                }
                spread[y * width + x] = most
            }
        }
        self.init(width: width, height: height, change: spread)
    }
}
