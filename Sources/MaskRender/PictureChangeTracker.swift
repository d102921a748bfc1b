import VideoFrames

/// Keeps the thumbnail of the last frame the masks were computed on and measures each new one against it
/// (`PictureChange`). One per compose stage; owns one thumbnail (about 19 KiB at 640×480).
public struct PictureChangeTracker: Sendable {
    private var previous: LumaThumbnail?

    public init() {}

    /// The change from the previous frame given to `frame` (nil for the first, or after a size change);
    /// `frame` becomes the previous one.
    public mutating func change(to frame: RGBFrame) -> PictureChange? {
        let current = LumaThumbnail(frame: frame, scale: previous?.frameWidth == frame.width ? previous?.scale : nil)
        defer { previous = current }
        return previous.flatMap { PictureChange(from: $0, to: current) }
    }
}
