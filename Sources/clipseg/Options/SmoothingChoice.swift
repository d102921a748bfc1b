import ArgumentParser
import MaskRender

/// `--smooth ALPHA | auto | off`: how masks are smoothed over time. Without the option live sources
/// (cameras, streams, `--realtime`) get `auto` and files none, so a file's masks stay exactly as before.
enum SmoothingChoice: Equatable, ExpressibleByArgument {
    /// Plain exponential moving average, weight of the newest frame (validated by `MaskOptions`).
    case weight(Float)
    /// Motion-aware smoothing (`MotionAwareSmoothing`): steady where the picture is still, following where it moves.
    case auto
    /// No smoothing.
    case off

    init?(argument: String) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "off", "none": self = .off
        default:
            guard let weight = Float(argument) else { return nil }
            self = .weight(weight)
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(["auto", "off", "0.3", "0.5"]) }

    /// The plain average's weight, when that is the choice.
    var weight: Float? {
        if case .weight(let weight) = self { return weight }
        return nil
    }

    /// `options` with the smoothing of `choice` (nil: the default for a live or a file source).
    static func resolve(_ choice: SmoothingChoice?, live: Bool, in options: MaskOptions) -> MaskOptions {
        var options = options
        switch choice ?? (live ? .auto : .off) {
        case .weight(let weight):
            options.smoothing = weight
            options.motionAwareSmoothing = nil
        case .auto:
            options.smoothing = nil
            options.motionAwareSmoothing = MotionAwareSmoothing()
        case .off:
            options.smoothing = nil
            options.motionAwareSmoothing = nil
        }
        return options
    }
}

extension SegmentRequest {
    /// The mask settings of a run from a live (`live`) or a file source: `--smooth` or its default applied.
    func maskOptions(live: Bool) -> MaskOptions {
        SmoothingChoice.resolve(smoothing, live: live, in: maskOptions)
    }
}
