/// How a multi-channel image is laid out in a flat float buffer (one image of a batch).
public enum ImageLayout: Sendable, Equatable {
    /// `[channels, height, width]` (PyTorch's NCHW without the batch dimension).
    case channelsFirst
    /// `[height, width, channels]` (tokens of a vision transformer: one row of channels per position).
    case channelsLast

    /// Offset of element (`channel`, `y`, `x`) in an image of the given size.
    @inlinable
    public func offset(channel: Int, y: Int, x: Int, channels: Int, height: Int, width: Int) -> Int {
        switch self {
        case .channelsFirst: return (channel * height + y) * width + x
        case .channelsLast: return (y * width + x) * channels + channel
        }
    }
}
