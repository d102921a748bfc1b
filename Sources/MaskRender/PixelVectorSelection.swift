/// Sharpens a block motion field to one vector per thumbnail pixel, so that mask edges follow object edges
/// instead of block edges.
///
/// A block over an object's edge holds one vector, the object's or the background's; moving a mask by it puts
/// the edge up to a block off. Here each thumbnail pixel picks, among the vectors of its own block and of the
/// eight blocks around it, the one whose reference pixels best match its 3×3 neighbourhood (sum of absolute
/// luma differences; the own block's vector wins ties by `ownBias` levels per window pixel). Where no candidate
/// matches within `unmatchedLevel` levels per window pixel, the pixel shows content the reference did not
/// have — background uncovered behind a moving object — and takes the candidate that moves farthest: the
/// occluder's motion reads the mask from where the occluder no longer is, so the uncovered background does
/// not keep the object's mask.
///
/// Input: a `BlockMatching` field of `current` against `reference` (same thumbnail size and scale). Output: a
/// `BlockMotionField` with `blockSize = scale` and one block per thumbnail pixel, vectors in frame pixels as in
/// the input. ~1 ms for 160×120 in a release build; allocates the output field only.
public struct PixelVectorSelection: Sendable, Equatable {
    /// Preference for the pixel's own block vector, luma levels per window pixel.
    public var ownBias: Float
    /// Above this best match, luma levels per window pixel, the pixel counts as uncovered.
    public var unmatchedLevel: Float

    public init(ownBias: Float = 1, unmatchedLevel: Float = 14) {
        self.ownBias = ownBias
        self.unmatchedLevel = unmatchedLevel
    }

    public func refine(_ field: BlockMotionField, current: LumaThumbnail, reference: LumaThumbnail) -> BlockMotionField {
        let width = current.width, height = current.height, scale = current.scale
        guard width > 0, height > 0, reference.width == width, reference.height == height, reference.scale == scale,
              field.columns > 0, field.rows > 0, field.blockSize % scale == 0 else { return field }
        let block = field.blockSize / scale, columns = field.columns, rows = field.rows
        var out = BlockMotionField(blockSize: scale, columns: width, rows: height, frameWidth: current.frameWidth,
                                   frameHeight: current.frameHeight)
        let own = ownBias * 9, unmatched = unmatchedLevel * 9
        current.luma.withUnsafeBufferPointer { cur in
            reference.luma.withUnsafeBufferPointer { ref in
                out.dx.withUnsafeMutableBufferPointer { outX in
                    out.dy.withUnsafeMutableBufferPointer { outY in
                        for y in 0..<height {
                            let r = min(y / block, rows - 1)
                            for x in 0..<width {
                                let c = min(x / block, columns - 1)
                                let mine = r * columns + c
                                var best = mine
                                var bestCost = Self.cost(cur, ref, width, height, x, y, field, mine, scale) - own
                                var farthest = mine, farthestLength = abs(field.dx[mine]) + abs(field.dy[mine])
                                for nr in max(0, r - 1)...min(rows - 1, r + 1) {
                                    for nc in max(0, c - 1)...min(columns - 1, c + 1) {
                                        let j = nr * columns + nc
                                        guard j != mine, field.dx[j] != field.dx[best] || field.dy[j] != field.dy[best]
                                        else { continue }
                                        let cost = Self.cost(cur, ref, width, height, x, y, field, j, scale)
                                        if cost < bestCost {
                                            bestCost = cost
                                            best = j
                                        }
                                        let length = abs(field.dx[j]) + abs(field.dy[j])
                                        if length > farthestLength {
                                            farthestLength = length
                                            farthest = j
                                        }
                                    }
                                }
                                if bestCost > unmatched { best = farthest }
                                outX[y * width + x] = field.dx[best]
                                outY[y * width + x] = field.dy[best]
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// SAD of the 3×3 window around thumbnail pixel `(x, y)` against the reference moved by vector `index` of
    /// `field` (rounded to thumbnail pixels), coordinates clamped to the thumbnail.
    private static func cost(_ cur: UnsafeBufferPointer<UInt8>, _ ref: UnsafeBufferPointer<UInt8>, _ width: Int,
                             _ height: Int, _ x: Int, _ y: Int, _ field: BlockMotionField, _ index: Int,
                             _ scale: Int) -> Float {
        let vx = Int((Float(field.dx[index]) / Float(scale)).rounded())
        let vy = Int((Float(field.dy[index]) / Float(scale)).rounded())
        var total: Int32 = 0
        for wy in -1...1 {
            let cy = min(max(y + wy, 0), height - 1), ry = min(max(cy + vy, 0), height - 1)
            for wx in -1...1 {
                let cx = min(max(x + wx, 0), width - 1), rx = min(max(cx + vx, 0), width - 1)
                let d = Int32(cur[cy * width + cx]) - Int32(ref[ry * width + rx])
                total += d < 0 ? -d : d
            }
        }
        return Float(total)
    }
}
