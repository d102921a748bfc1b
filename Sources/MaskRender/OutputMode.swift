/// What the output video shows (`--mode`).
public enum OutputMode: String, Sendable, CaseIterable {
    /// The frame with each prompt's mask tinted in its palette colour (and outlined: palette colour inside
    /// the edge, black or white outside it).
    case overlay
    /// The union mask as gray video (white = object).
    case matte
    /// The object kept, the background black; an alpha plane (the union mask) for alpha-capable outputs.
    case cutout
    /// The background blurred, the object sharp.
    case blur
    /// The background replaced by an image or a colour (`--background`).
    case replace
}
