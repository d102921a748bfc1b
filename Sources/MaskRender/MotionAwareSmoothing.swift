/// Motion-aware mask smoothing (`--smooth auto`): an exponential moving average of the probabilities whose
/// weight of the newest frame depends on how much the picture changed there (`PictureChange`): `stillWeight`
/// where it did not change (masks steady on a still scene), rising linearly to 1 where it changed by
/// `movingChange` luma levels or more (the mask of a moving edge follows at once, without the lag of plain
/// smoothing). Without a change map (the first frame after a restart) every pixel takes `stillWeight`.
public struct MotionAwareSmoothing: Sendable, Equatable {
    /// Weight of the newest frame where the picture is still, in (0, 1]. Default 0.25.
    public var stillWeight: Float
    /// Change (luma levels above the noise floor, `PictureChange.change`) up to which a block counts as still.
    public var stillChange: Float
    /// Change from which a block counts as moving (weight 1); greater than `stillChange`.
    public var movingChange: Float

    public init(stillWeight: Float = 0.25, stillChange: Float = 0.75, movingChange: Float = 2.5) {
        self.stillWeight = stillWeight
        self.stillChange = stillChange
        self.movingChange = movingChange
    }

    /// The weight of the newest frame for a block that changed by `change` luma levels.
    public func weight(forChange change: Float) -> Float {
        let moving = min(1, max(0, (change - stillChange) / (movingChange - stillChange)))
        return stillWeight + (1 - stillWeight) * moving
    }

    /// A description of the first invalid setting, or nil.
    public var requirementViolated: String? {
        if !(stillWeight.isFinite && stillWeight > 0 && stillWeight <= 1) {
            return "still weight must be greater than 0 and at most 1, got \(stillWeight)"
        }
        if !(stillChange.isFinite && movingChange.isFinite && stillChange >= 0 && movingChange > stillChange) {
            return "changes must satisfy 0 ≤ still (\(stillChange)) < moving (\(movingChange))"
        }
        return nil
    }
}
