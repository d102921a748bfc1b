import MediaIO
import VideoFrames

/// Reading pixels back in tests.
extension RGBFrame {
    /// The (r, g, b) at column `x`, row `y`.
    func pixel(_ x: Int, _ y: Int) -> [Int] {
        let i = (y * width + x) * 3
        return [Int(pixels[i]), Int(pixels[i + 1]), Int(pixels[i + 2])]
    }

    /// Mean (r, g, b) over the rectangle `x..<x+w`, `y..<y+h`, rounded.
    func meanColor(x: Int, y: Int, width w: Int, height h: Int) -> [Int] {
        var sums = [0, 0, 0]
        for row in y..<(y + h) {
            for column in x..<(x + w) {
                let p = pixel(column, row)
                for c in 0..<3 { sums[c] += p[c] }
            }
        }
        return sums.map { Int((Double($0) / Double(w * h)).rounded()) }
    }

    /// Largest per-channel difference between the mean colour of the whole frame and `expected`.
    func meanDistance(to expected: [Int]) -> Int {
        zip(meanColor(x: 0, y: 0, width: width, height: height), expected).map { abs($0 - $1) }.max() ?? 0
    }

    /// Largest per-channel difference of any pixel from `expected`.
    func maxDistance(to expected: [Int]) -> Int {
        var worst = 0
        for i in stride(from: 0, to: pixels.count, by: 3) {
            for c in 0..<3 { worst = max(worst, abs(Int(pixels[i + c]) - expected[c])) }
        }
        return worst
    }
}
