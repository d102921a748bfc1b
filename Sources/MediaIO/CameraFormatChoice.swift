/// Picks, among what a camera offers, the frame size and rate nearest to what was asked.
enum CameraFormatChoice {
    /// The offered size closest to `wanted` (smallest sum of width and height differences; on a tie the
    /// larger one). Ranges are clamped and rounded to their step. nil when nothing is offered.
    static func nearestSize(to wanted: CameraSize, among options: [CameraSizeOption]) -> CameraSize? {
        let candidates = options.map { option -> CameraSize in
            switch option {
            case .discrete(let size, _): return size
            case .range(let minimum, let maximum, let step, _):
                return CameraSize(width: snap(wanted.width, minimum.width, maximum.width, step.width),
                                  height: snap(wanted.height, minimum.height, maximum.height, step.height))
            }
        }
        return candidates.min { a, b in
            let distanceA = abs(a.width - wanted.width) + abs(a.height - wanted.height)
            let distanceB = abs(b.width - wanted.width) + abs(b.height - wanted.height)
            return distanceA != distanceB ? distanceA < distanceB : a.area > b.area
        }
    }

    /// The offered rate closest to `wanted` (on a tie the faster one); nil when the rates are unknown.
    static func nearestRate(to wanted: Double, among rates: CameraFrameRates) -> Double? {
        switch rates {
        case .discrete(let list):
            return list.min { a, b in
                abs(a - wanted) != abs(b - wanted) ? abs(a - wanted) < abs(b - wanted) : a > b
            }
        case .range(let slowest, let fastest):
            return Swift.min(Swift.max(wanted, slowest), fastest)
        case .unknown:
            return nil
        }
    }

    /// `value` clamped to `minimum...maximum` and rounded to the nearest `minimum + k * step`.
    private static func snap(_ value: Int, _ minimum: Int, _ maximum: Int, _ step: Int) -> Int {
        let clamped = Swift.min(Swift.max(value, minimum), maximum)
        let steps = (Double(clamped - minimum) / Double(Swift.max(step, 1))).rounded()
        return Swift.min(minimum + Int(steps) * Swift.max(step, 1), maximum)
    }

    /// `30 fps`, `29.97 fps`, `7.5 fps`.
    static func describeRate(_ rate: Double) -> String {
        let hundredths = (rate * 100).rounded() / 100
        return hundredths == hundredths.rounded() ? "\(Int(hundredths)) fps" : "\(hundredths) fps"
    }
}
