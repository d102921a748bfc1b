import VideoFrames

/// Moves the masks of the last frame the model saw onto the frames after it that it did not see (live runs
/// drop frames before the model): "masks that follow motion".
///
/// `reset(to:)` takes the frame the masks were computed on (the reference); `follow(_:to:)` takes each later
/// frame in capture order, estimates its backward motion against the reference by `BlockMatching` on
/// `LumaThumbnail`s, sharpened to one vector per thumbnail pixel (`PixelVectorSelection`), and returns the
/// reference masks moved by it (`ShapedMasks.moved(by:)`). The motion is
/// measured from the reference, not chained frame to frame, so that slow motion (under one thumbnail pixel per
/// frame) adds up and the masks are resampled once, not once per frame; the search still stays small, because
/// each frame's search is centred on the previous frame's vectors as well as on zero.
///
/// Owns one thumbnail and one field (a few tens of KiB at 640×480). One follower per compose stage; not shared.
public struct MaskMotionFollower: Sendable {
    public var matching: BlockMatching
    /// Per-pixel sharpening of the block field; nil moves masks block by block.
    public var selection: PixelVectorSelection?
    private var reference: LumaThumbnail?
    private var latest: BlockMotionField?

    public init(matching: BlockMatching = .standard, selection: PixelVectorSelection? = PixelVectorSelection()) {
        self.matching = matching
        self.selection = selection
    }

    /// The block field of the last frame followed (nil before one, and after `reset`).
    public var lastField: BlockMotionField? { latest }

    /// `frame` got masks of its own: it becomes the reference for the frames after it.
    public mutating func reset(to frame: RGBFrame) {
        reference = LumaThumbnail(frame: frame)
        latest = nil
    }

    /// `masks` (computed on the reference frame) moved by the motion from the reference to `frame`; nil when
    /// there is no reference, or `frame`, the reference and the masks are not all the same size.
    public mutating func follow(_ masks: ShapedMasks, to frame: RGBFrame) -> ShapedMasks? {
        guard let reference, reference.frameWidth == frame.width, reference.frameHeight == frame.height,
              masks.width == frame.width, masks.height == frame.height else { return nil }
        let current = LumaThumbnail(frame: frame, scale: reference.scale)
        let field = matching.estimate(current: current, reference: reference, predicted: latest)
        latest = field
        let sharp = selection?.refine(field, current: current, reference: reference) ?? field
        return masks.moved(by: sharp)
    }
}
