/// A separable box blur of 8-bit images with `channels` interleaved channels (1: a gray mask, 3: RGB24),
/// in place, with edge pixels repeated beyond the border.
///
/// One pass replaces each pixel by the average of the `(2r+1) × (2r+1)` square around it, rounded to the
/// nearest integer (within ±1 for very large sums, where float rounding shows); three passes approximate a
/// Gaussian of standard deviation ≈ `r`. Running sums make the cost O(width × height × channels) per pass
/// whatever the radius; nothing is allocated once the scratch buffers have grown to the image size.
public struct BoxBlur: Sendable {
    /// Horizontal sums, `width * height * channels`; kept between calls.
    private var rowSums: [UInt32] = []
    /// Vertical running sums, `width * channels`.
    private var columnSums: [UInt32] = []

    /// The largest radius accepted (sums must fit in 32 bits); larger radii are clamped to it.
    public static let maximumRadius = 2047

    public init() {}

    /// Blurs `pixels` (`height` rows of `width * channels` bytes) with radius `radius` pixels, `passes`
    /// times. Radius 0 or fewer than one pass leaves the image unchanged.
    public mutating func blur(_ pixels: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, channels: Int,
                              radius: Int, passes: Int = 1) {
        guard radius > 0, passes > 0, width > 0, height > 0, channels > 0 else { return }
        let radius = min(radius, Self.maximumRadius)
        let count = width * height * channels
        precondition(pixels.count >= count, "BoxBlur: buffer smaller than \(width)x\(height)x\(channels)")
        if rowSums.count < count { rowSums = [UInt32](repeating: 0, count: count) }
        if columnSums.count < width * channels { columnSums = [UInt32](repeating: 0, count: width * channels) }
        rowSums.withUnsafeMutableBufferPointer { rowSums in
            columnSums.withUnsafeMutableBufferPointer { columnSums in
                for _ in 0..<passes {
                    Self.horizontal(UnsafeBufferPointer(pixels), into: rowSums, width: width, height: height,
                                    channels: channels, radius: radius)
                    Self.vertical(UnsafeBufferPointer(rowSums), into: pixels, columnSums: columnSums, width: width,
                                  height: height, channels: channels, radius: radius)
                }
            }
        }
    }

    /// Row-wise window sums (not yet divided): `target[y][x][c] = Σ_{|k| ≤ r} source[y][clamp(x+k)][c]`.
    private static func horizontal(_ source: UnsafeBufferPointer<UInt8>, into target: UnsafeMutableBufferPointer<UInt32>,
                                   width: Int, height: Int, channels: Int, radius: Int) {
        let last = width - 1
        // x where neither the incoming (x + r) nor the outgoing (x - r - 1) pixel needs clamping.
        let middle = (radius + 1)...max(radius + 1, last - radius)
        for y in 0..<height {
            let row = source.baseAddress! + y * width * channels
            let out = target.baseAddress! + y * width * channels
            for c in 0..<channels {
                var sum = UInt32(row[c]) &* UInt32(radius + 1)
                for i in 1...radius { sum &+= UInt32(row[min(i, last) * channels + c]) }
                out[c] = sum
                guard width > 1 else { continue }
                var x = 1
                if last - radius >= radius + 1 {
                    while x < middle.lowerBound {
                        sum = sum &+ UInt32(row[min(x + radius, last) * channels + c]) &- UInt32(row[c])
                        out[x * channels + c] = sum
                        x += 1
                    }
                    var incoming = row + (x + radius) * channels + c
                    var outgoing = row + (x - radius - 1) * channels + c
                    while x <= middle.upperBound {
                        sum = sum &+ UInt32(incoming.pointee) &- UInt32(outgoing.pointee)
                        out[x * channels + c] = sum
                        incoming += channels
                        outgoing += channels
                        x += 1
                    }
                }
                while x <= last {
                    sum = sum &+ UInt32(row[min(x + radius, last) * channels + c])
                        &- UInt32(row[max(x - radius - 1, 0) * channels + c])
                    out[x * channels + c] = sum
                    x += 1
                }
            }
        }
    }

    /// Column-wise window sums of the row sums, divided by the window area and rounded.
    private static func vertical(_ source: UnsafeBufferPointer<UInt32>, into target: UnsafeMutableBufferPointer<UInt8>,
                                 columnSums: UnsafeMutableBufferPointer<UInt32>, width: Int, height: Int,
                                 channels: Int, radius: Int) {
        let stride = width * channels
        let last = height - 1
        let scale = 1 / Float((2 * radius + 1) * (2 * radius + 1))
        let sums = columnSums.baseAddress!
        let first = source.baseAddress!
        for i in 0..<stride { sums[i] = first[i] &* UInt32(radius + 1) }
        for k in 1...radius {
            let row = source.baseAddress! + min(k, last) * stride
            for i in 0..<stride { sums[i] = sums[i] &+ row[i] }
        }
        for y in 0..<height {
            let out = target.baseAddress! + y * stride
            let incoming = source.baseAddress! + min(y + radius + 1, last) * stride
            let outgoing = source.baseAddress! + max(y - radius, 0) * stride
            for i in 0..<stride {
                let sum = sums[i]
                out[i] = roundedByte(Float(sum) * scale)
                sums[i] = sum &+ incoming[i] &- outgoing[i]
            }
        }
    }
}
