/// A frame rate as a fraction `numerator / denominator`, as YUV4MPEG2's `F` field and containers want it.
public struct FrameRateFraction: Sendable, Equatable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The usual fraction for `rate` frames per second: whole numbers as `n/1`, NTSC rates as
    /// `n*1000/1001` (29.97 → 30000/1001), anything else to a thousandth, reduced. Non-positive or
    /// non-finite rates become 25/1.
    public init(approximating rate: Double) {
        guard rate.isFinite, rate > 0 else { self.init(numerator: 25, denominator: 1); return }
        if abs(rate - rate.rounded()) < 1e-6 {
            self.init(numerator: Int(rate.rounded()), denominator: 1)
            return
        }
        let ntsc = (rate * 1.001).rounded()
        if abs(rate - ntsc / 1.001) < 0.0005 {
            self.init(numerator: Int(ntsc) * 1000, denominator: 1001)
            return
        }
        var numerator = Int((rate * 1000).rounded()), denominator = 1000
        var a = numerator, b = denominator
        while b != 0 { (a, b) = (b, a % b) }
        numerator /= a
        denominator /= a
        self.init(numerator: numerator, denominator: denominator)
    }

    /// Frames per second.
    public var rate: Double { Double(numerator) / Double(denominator) }

    /// `n:d`, the YUV4MPEG2 spelling.
    public var description: String { "\(numerator):\(denominator)" }
}
