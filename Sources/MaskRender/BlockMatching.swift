/// Block matching between two `LumaThumbnail`s: the backward `BlockMotionField` of a current frame against a
/// reference frame.
///
/// The current thumbnail is cut into blocks of `blockSize × blockSize` thumbnail pixels (the last column and
/// row take the remainder). For each block, every offset within `searchRadius` of zero and of the predicted
/// vector (the previous estimate against the same reference), and within one pixel of each neighbouring
/// block's predicted vector (content that moves into a block brings its motion along), is scored by its sum of absolute differences
/// (SAD) against the reference, offsets that would read outside the reference left out, plus
/// - `predictionPenalty` luma levels per block pixel per thumbnail pixel of distance from the prediction
///   (motion is smooth in time, so a flat or repetitive block does not jump between equal matches);
/// - minus `zeroBias` luma levels per block pixel for the zero vector, so that sensor noise and compression
///   noise never move a block that did not move.
///
/// The best offset is refined to a fraction of a thumbnail pixel by a parabola through its neighbours' SADs
/// (zero stays exactly zero), then scaled to frame pixels. Last, a vector none of its eight neighbours agrees
/// with (within one thumbnail pixel) is taken for noise and replaced by their component-wise median.
///
/// Cost: at most `(2 · searchRadius + 1)² · 2 + 72` SADs of a block per block (most stop early),
/// ~0.3 ms for a 160×120 thumbnail in a release build; allocates the field and one small list.
public struct BlockMatching: Sendable, Equatable {
    /// Side of a block, thumbnail pixels (≥ 2).
    public var blockSize: Int
    /// Search range around zero and around the prediction, thumbnail pixels along each axis.
    public var searchRadius: Int
    /// How much better than zero motion another vector must match, luma levels per block pixel.
    public var zeroBias: Float
    /// Cost of each thumbnail pixel of distance from the predicted vector, luma levels per block pixel.
    public var predictionPenalty: Float
    /// Refine vectors to a fraction of a thumbnail pixel.
    public var subpixel: Bool
    /// Replace vectors no neighbouring block agrees with by their neighbours' median.
    public var rejectIsolatedVectors: Bool

    public init(blockSize: Int = 6, searchRadius: Int = 3, zeroBias: Float = 1.5, predictionPenalty: Float = 0.25,
                subpixel: Bool = true, rejectIsolatedVectors: Bool = true) {
        self.blockSize = max(2, blockSize)
        self.searchRadius = max(0, searchRadius)
        self.zeroBias = zeroBias
        self.predictionPenalty = predictionPenalty
        self.subpixel = subpixel
        self.rejectIsolatedVectors = rejectIsolatedVectors
    }

    /// The settings `MaskMotionFollower` uses.
    public static let standard = BlockMatching()

    /// The backward field of `current` against `reference` (content at `p` in current was at `p + v` in
    /// reference), in `current`'s frame pixels. `predicted`: an earlier estimate against the same reference
    /// (searched around too); ignored when its shape differs. Thumbnails of different sizes or scales give a
    /// zero field.
    public func estimate(current: LumaThumbnail, reference: LumaThumbnail,
                         predicted: BlockMotionField? = nil) -> BlockMotionField {
        let width = current.width, height = current.height, scale = current.scale
        let columns = max(1, width / blockSize), rows = max(1, height / blockSize)
        var field = BlockMotionField(blockSize: blockSize * scale, columns: columns, rows: rows,
                                     frameWidth: current.frameWidth, frameHeight: current.frameHeight)
        guard width > 0, height > 0, reference.width == width, reference.height == height,
              reference.scale == scale else { return field }
        let prediction = predicted.flatMap {
            $0.columns == columns && $0.rows == rows && $0.blockSize == blockSize * scale ? $0 : nil
        }
        var neighbours: [(Int, Int)] = []
        neighbours.reserveCapacity(8)
        current.luma.withUnsafeBufferPointer { cur in
            reference.luma.withUnsafeBufferPointer { ref in
                let cur = cur.baseAddress!, ref = ref.baseAddress!
                for r in 0..<rows {
                    let y0 = r * blockSize, bh = r == rows - 1 ? height - y0 : blockSize
                    for c in 0..<columns {
                        let x0 = c * blockSize, bw = c == columns - 1 ? width - x0 : blockSize
                        let block = Block(x0: x0, y0: y0, width: bw, height: bh, stride: width, height0: height)
                        var predictedX = 0, predictedY = 0
                        neighbours.removeAll(keepingCapacity: true)
                        if let prediction {
                            func thumbnailVector(_ j: Int) -> (Int, Int) {
                                (Int((Float(prediction.dx[j]) / Float(scale)).rounded()),
                                 Int((Float(prediction.dy[j]) / Float(scale)).rounded()))
                            }
                            (predictedX, predictedY) = thumbnailVector(r * columns + c)
                            for nr in max(0, r - 1)...min(rows - 1, r + 1) {
                                for nc in max(0, c - 1)...min(columns - 1, c + 1) where nr != r || nc != c {
                                    let v = thumbnailVector(nr * columns + nc)
                                    if v != (0, 0) && v != (predictedX, predictedY) && !neighbours.contains(where: { $0 == v }) {
                                        neighbours.append(v)
                                    }
                                }
                            }
                        }
                        let (vx, vy) = search(block, cur, ref, predictedX: predictedX, predictedY: predictedY,
                                              neighbours: neighbours)
                        field.dx[r * columns + c] = Int32((vx * Float(scale)).rounded())
                        field.dy[r * columns + c] = Int32((vy * Float(scale)).rounded())
                    }
                }
            }
        }
        if rejectIsolatedVectors { rejectIsolated(&field, tolerance: Int32(scale)) }
        return field
    }

    /// A block of the current thumbnail and the bounds of the reference it may be matched in.
    private struct Block {
        var x0, y0, width, height, stride, height0: Int
        var pixels: Int { width * height }

        func fits(_ vx: Int, _ vy: Int) -> Bool {
            x0 + vx >= 0 && x0 + vx + width <= stride && y0 + vy >= 0 && y0 + vy + height <= height0
        }
    }

    /// SAD of `block` against the reference displaced by `(vx, vy)` (which must fit); stops early, returning
    /// a partial sum, once it passes `limit`.
    private func sad(_ block: Block, _ cur: UnsafePointer<UInt8>, _ ref: UnsafePointer<UInt8>,
                     _ vx: Int, _ vy: Int, limit: Int = .max) -> Int {
        var total = 0
        for y in 0..<block.height {
            let a = cur + (block.y0 + y) * block.stride + block.x0
            let b = ref + (block.y0 + y + vy) * block.stride + block.x0 + vx
            var row: Int32 = 0
            for x in 0..<block.width {
                let d = Int32(a[x]) &- Int32(b[x])
                row &+= d < 0 ? -d : d
            }
            total += Int(row)
            if total > limit { return total }
        }
        return total
    }

    /// The best vector of one block, thumbnail pixels (fractional with `subpixel`).
    private func search(_ block: Block, _ cur: UnsafePointer<UInt8>, _ ref: UnsafePointer<UInt8>,
                        predictedX: Int, predictedY: Int, neighbours: [(Int, Int)]) -> (Float, Float) {
        let pixels = Float(block.pixels)
        let bias = zeroBias * pixels, step = predictionPenalty * pixels
        func penalty(_ vx: Int, _ vy: Int) -> Float {
            Float(abs(vx - predictedX) + abs(vy - predictedY)) * step - (vx == 0 && vy == 0 ? bias : 0)
        }
        var bestX = 0, bestY = 0
        var bestCost = Float(sad(block, cur, ref, 0, 0)) + penalty(0, 0)
        let radius = searchRadius
        func score(_ vx: Int, _ vy: Int) {
            guard block.fits(vx, vy) else { return }
            let extra = penalty(vx, vy)
            let limit = bestCost - extra
            guard limit >= 0 else { return }
            let cost = Float(sad(block, cur, ref, vx, vy, limit: Int(limit))) + extra
            if cost < bestCost {
                bestCost = cost
                bestX = vx
                bestY = vy
            }
        }
        // Around zero, then around the prediction (skipping what the first window scored), then ±1 around each
        // neighbour's prediction (content that moved into this block brings its neighbour's motion).
        let predicted = predictedX != 0 || predictedY != 0
        for vy in -radius...radius {
            for vx in -radius...radius where vx != 0 || vy != 0 { score(vx, vy) }
        }
        if predicted {
            for vy in (predictedY - radius)...(predictedY + radius) {
                for vx in (predictedX - radius)...(predictedX + radius) where abs(vx) > radius || abs(vy) > radius {
                    score(vx, vy)
                }
            }
        }
        for (cx, cy) in neighbours {
            for vy in (cy - 1)...(cy + 1) {
                for vx in (cx - 1)...(cx + 1)
                where (abs(vx) > radius || abs(vy) > radius)
                    && (!predicted || abs(vx - predictedX) > radius || abs(vy - predictedY) > radius) {
                    score(vx, vy)
                }
            }
        }
        guard subpixel, bestX != 0 || bestY != 0 else { return (Float(bestX), Float(bestY)) }
        let centre = Float(sad(block, cur, ref, bestX, bestY))
        func refine(_ dx: Int, _ dy: Int) -> Float {
            guard block.fits(bestX - dx, bestY - dy), block.fits(bestX + dx, bestY + dy) else { return 0 }
            let before = Float(sad(block, cur, ref, bestX - dx, bestY - dy))
            let after = Float(sad(block, cur, ref, bestX + dx, bestY + dy))
            let curvature = before - 2 * centre + after
            guard curvature > 0 else { return 0 }
            return min(max(0.5 * (before - after) / curvature, -0.5), 0.5)
        }
        return (Float(bestX) + refine(1, 0), Float(bestY) + refine(0, 1))
    }

    /// Replaces each vector that differs from all of its (up to eight) neighbours by more than `tolerance`
    /// frame pixels in some component by the component-wise median of those neighbours.
    private func rejectIsolated(_ field: inout BlockMotionField, tolerance: Int32) {
        let columns = field.columns, rows = field.rows
        guard columns * rows > 1 else { return }
        let dx = field.dx, dy = field.dy
        var xs: [Int32] = [], ys: [Int32] = []
        xs.reserveCapacity(8)
        ys.reserveCapacity(8)
        for r in 0..<rows {
            for c in 0..<columns {
                let i = r * columns + c
                xs.removeAll(keepingCapacity: true)
                ys.removeAll(keepingCapacity: true)
                var agreed = false
                for nr in max(0, r - 1)...min(rows - 1, r + 1) {
                    for nc in max(0, c - 1)...min(columns - 1, c + 1) where nr != r || nc != c {
                        let j = nr * columns + nc
                        xs.append(dx[j])
                        ys.append(dy[j])
                        if abs(dx[j] - dx[i]) <= tolerance && abs(dy[j] - dy[i]) <= tolerance { agreed = true }
                    }
                }
                guard !agreed else { continue }
                xs.sort()
                ys.sort()
                field.dx[i] = xs[xs.count / 2]
                field.dy[i] = ys[ys.count / 2]
            }
        }
    }
}
