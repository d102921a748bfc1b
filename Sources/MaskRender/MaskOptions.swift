/// Mask shaping settings (`--threshold`, `--soft`, `--smooth`, `--feather`).
public struct MaskOptions: Sendable, Equatable {
    /// Probability (after the sigmoid) from which a pixel belongs to a prompt, 0…1. Default 0.4.
    public var threshold: Float
    /// Write probabilities as 0…255 instead of a binary 0/255 mask.
    public var soft: Bool
    /// Exponential moving average of probabilities across frames: weight of the NEWEST frame, in (0, 1]
    /// (`p = alpha * p_now + (1 - alpha) * p_before`; 1 or nil means no smoothing, 0.3 is strong smoothing).
    public var smoothing: Float?
    /// Motion-aware smoothing (`--smooth auto`): when set it replaces `smoothing`, and the shaper needs the
    /// picture's change (`MaskShaper.shape(…, pictureChange:)`).
    public var motionAwareSmoothing: MotionAwareSmoothing?
    /// Feather radius in frame pixels: masks are box-blurred twice with this radius (0 = hard edges).
    public var featherRadius: Int

    public init(threshold: Float = 0.4, soft: Bool = false, smoothing: Float? = nil, featherRadius: Int = 0,
                motionAwareSmoothing: MotionAwareSmoothing? = nil) {
        self.motionAwareSmoothing = motionAwareSmoothing
        self.threshold = threshold
        self.soft = soft
        self.smoothing = smoothing
        self.featherRadius = featherRadius
    }

    /// Whether the shaper keeps probabilities between frames (one plane per prompt).
    public var keepsSmoothingState: Bool { motionAwareSmoothing != nil || (smoothing.map { $0 < 1 } ?? false) }

    /// The first invalid setting, or nil when all are valid.
    public func validationError() -> MaskOptionsError? {
        if !(threshold.isFinite && threshold >= 0 && threshold <= 1) {
            return MaskOptionsError(setting: .threshold, requirement: "must be between 0 and 1, got \(threshold)")
        }
        if let smoothing, !(smoothing.isFinite && smoothing > 0 && smoothing <= 1) {
            return MaskOptionsError(setting: .smoothing, requirement: "must be greater than 0 and at most 1 "
                                    + "(the weight of the newest frame), got \(smoothing)")
        }
        if let requirement = motionAwareSmoothing?.requirementViolated {
            return MaskOptionsError(setting: .smoothing, requirement: requirement)
        }
        if featherRadius < 0 || featherRadius > 1000 {
            return MaskOptionsError(setting: .featherRadius,
                                    requirement: "must be between 0 and 1000 pixels, got \(featherRadius)")
        }
        return nil
    }
}

/// A `MaskOptions` setting out of its range. `description` is one line naming the setting; a command line
/// names its own option instead, followed by `requirement`.
public struct MaskOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The settings that have a range.
    public enum Setting: String, Sendable, Equatable {
        case threshold
        case smoothing
        case featherRadius = "feather radius"
    }

    /// The setting at fault.
    public var setting: Setting
    /// What its value must be, and the value given: `must be between 0 and 1, got 1.2`.
    public var requirement: String

    public init(setting: Setting, requirement: String) {
        self.setting = setting
        self.requirement = requirement
    }

    public var description: String { "\(setting.rawValue) \(requirement)" }
}
