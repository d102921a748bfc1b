/// What one prompt's region gets in the output picture (`--keep`, `--blur`, `--pixelate`, `--fill`, `--remove`,
/// `--redact`), painted over the `--mode` rendering by `RegionEffectPainter`.
///
/// Regions are a prompt's mask (0…255, so soft and feathered masks blend softly), except `redact`, whose region
/// is the thresholded mask grown by a margin and painted solid.
public enum RegionEffect: Sendable, Equatable, Hashable {
    /// Shown as it is: spared from the background treatment of `--mode` (blur, replace, cutout), never tinted
    /// (overlay) or drawn into the matte.
    case keep
    /// Blurred.
    case blur
    /// Shown as coarse blocks, each the average colour of its pixels.
    case pixelate
    /// Painted in a colour.
    case fill(RGBColor)
    /// Replaced by the run's background (the `--background` picture or colour, black by default).
    case remove
    /// Grown by a margin and painted solid in a colour; when a frame has no recent enough masks the whole
    /// frame is painted instead (the caller decides when, see `RegionEffectPainter.blank`).
    case redact(RGBColor)

    /// Painting order: later effects cover earlier ones where regions overlap, so redaction always wins.
    public var paintOrder: Int {
        switch self {
        case .keep: return 0
        case .remove: return 1
        case .blur: return 2
        case .pixelate: return 3
        case .fill: return 4
        case .redact: return 5
        }
    }

    /// The effect's name as the command line spells it (`keep`, `blur`, …).
    public var name: String {
        switch self {
        case .keep: return "keep"
        case .blur: return "blur"
        case .pixelate: return "pixelate"
        case .fill: return "fill"
        case .remove: return "remove"
        case .redact: return "redact"
        }
    }
}
