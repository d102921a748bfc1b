/// Backward motion of a frame, one vector per block: the content at frame pixel `p` of the current frame was
/// at `p + v(block of p)` in the reference frame. `BlockMatching` estimates it; `ShapedMasks.moved(by:)`
/// applies it.
///
/// Shape: `columns × rows` blocks of `blockSize × blockSize` frame pixels, row-major, top row first, covering a
/// `frameWidth × frameHeight` frame from its top-left corner; pixels past the last block's column or row (a
/// frame not a whole number of blocks) belong to the last one. Vectors are in whole frame pixels.
public struct BlockMotionField: Sendable, Equatable {
    /// Side of a block, frame pixels (≥ 1).
    public let blockSize: Int
    public let columns: Int
    public let rows: Int
    /// Size of the frame the field is for, frame pixels.
    public let frameWidth: Int
    public let frameHeight: Int
    /// Horizontal and vertical components, `[rows, columns]` each, frame pixels (positive: right, down).
    public var dx: [Int32]
    public var dy: [Int32]

    /// A field of `columns × rows` blocks of `blockSize` frame pixels, all zero unless `dx`/`dy` are given.
    public init(blockSize: Int, columns: Int, rows: Int, frameWidth: Int, frameHeight: Int,
                dx: [Int32]? = nil, dy: [Int32]? = nil) {
        precondition(blockSize >= 1 && columns >= 0 && rows >= 0, "BlockMotionField: bad shape")
        self.blockSize = blockSize
        self.columns = columns
        self.rows = rows
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.dx = dx ?? [Int32](repeating: 0, count: columns * rows)
        self.dy = dy ?? [Int32](repeating: 0, count: columns * rows)
        precondition(self.dx.count == columns * rows && self.dy.count == columns * rows,
                     "BlockMotionField: \(self.dx.count)/\(self.dy.count) vectors for \(columns)x\(rows) blocks")
    }

    /// One vector for the whole frame (a single block).
    public static func uniform(dx: Int, dy: Int, frameWidth: Int, frameHeight: Int) -> BlockMotionField {
        BlockMotionField(blockSize: max(1, frameWidth, frameHeight), columns: 1, rows: 1, frameWidth: frameWidth,
                         frameHeight: frameHeight, dx: [Int32(dx)], dy: [Int32(dy)])
    }

    /// True when every vector is zero (moving by it changes nothing).
    public var isZero: Bool { !dx.contains { $0 != 0 } && !dy.contains { $0 != 0 } }

    /// The block holding frame pixel `(x, y)`.
    public func block(x: Int, y: Int) -> (column: Int, row: Int) {
        (min(max(x / blockSize, 0), max(columns - 1, 0)), min(max(y / blockSize, 0), max(rows - 1, 0)))
    }

    /// The vector at frame pixel `(x, y)`, frame pixels.
    public func vector(x: Int, y: Int) -> (dx: Int, dy: Int) {
        guard columns > 0, rows > 0 else { return (0, 0) }
        let (c, r) = block(x: x, y: y)
        return (Int(dx[r * columns + c]), Int(dy[r * columns + c]))
    }
}
