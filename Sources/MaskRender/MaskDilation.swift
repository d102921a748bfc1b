/// Grows a binary region by a margin: a pixel is in the result when any pixel of the `(2r+1) × (2r+1)` square
/// around it is in the region (a square structuring element, exact). Two separable passes of running counts,
/// O(width × height) whatever the margin; scratch counts are kept between calls.
public struct MaskDilation: Sendable {
    private var rowCounts: [UInt16] = []

    public init() {}

    /// Replaces `region` (`height` rows of `width` bytes; non-zero = inside) by the region grown by `margin`
    /// pixels, inside = 255, outside = 0. A margin of 0 only makes the region binary.
    public mutating func dilate(_ region: inout [UInt8], width: Int, height: Int, margin: Int) {
        let count = width * height
        precondition(region.count == count, "MaskDilation: \(region.count) bytes for \(width)x\(height)")
        guard count > 0 else { return }
        let r = max(0, min(margin, max(width, height)))
        if rowCounts.count < count { rowCounts = [UInt16](repeating: 0, count: count) }
        rowCounts.withUnsafeMutableBufferPointer { counts in
            region.withUnsafeMutableBufferPointer { pixels in
                // Horizontal: counts[y, x] = 1 if any of pixels[y, x-r…x+r] is set (a running count of set pixels).
                for y in 0..<height {
                    let row = y * width
                    var running = 0
                    for x in 0...min(r, width - 1) where pixels[row + x] != 0 { running += 1 }
                    for x in 0..<width {
                        counts[row + x] = running > 0 ? 1 : 0
                        let leaving = x - r, entering = x + r + 1
                        if leaving >= 0, pixels[row + leaving] != 0 { running -= 1 }
                        if entering < width, pixels[row + entering] != 0 { running += 1 }
                    }
                }
                // Vertical over the horizontal result.
                for x in 0..<width {
                    var running = 0
                    for y in 0...min(r, height - 1) { running += Int(counts[y * width + x]) }
                    for y in 0..<height {
                        pixels[y * width + x] = running > 0 ? 255 : 0
                        let leaving = y - r, entering = y + r + 1
                        if leaving >= 0 { running -= Int(counts[leaving * width + x]) }
                        if entering < height { running += Int(counts[entering * width + x]) }
                    }
                }
            }
        }
    }
}
