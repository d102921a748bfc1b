import UserText

/// An 8-bit sRGB colour, as given to `--background` or used for overlay tints.
public struct RGBColor: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#rrggbb`, lowercase.
    public var description: String {
        "#" + [red, green, blue].map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Colour names accepted by `parse`, with their values (CSS values for the same names).
    public static let named: [(name: String, color: RGBColor)] = [
        ("black", RGBColor(red: 0, green: 0, blue: 0)),
        ("white", RGBColor(red: 255, green: 255, blue: 255)),
        ("gray", RGBColor(red: 128, green: 128, blue: 128)),
        ("grey", RGBColor(red: 128, green: 128, blue: 128)),
        ("red", RGBColor(red: 255, green: 0, blue: 0)),
        ("green", RGBColor(red: 0, green: 255, blue: 0)),
        ("blue", RGBColor(red: 0, green: 0, blue: 255)),
        ("yellow", RGBColor(red: 255, green: 255, blue: 0)),
        ("cyan", RGBColor(red: 0, green: 255, blue: 255)),
        ("magenta", RGBColor(red: 255, green: 0, blue: 255)),
        ("orange", RGBColor(red: 255, green: 165, blue: 0)),
        ("purple", RGBColor(red: 128, green: 0, blue: 128)),
        ("pink", RGBColor(red: 255, green: 192, blue: 203)),
    ]

    /// Parses `#rrggbb`, `#rgb` (each digit doubled) or a name from `named` (case-insensitive,
    /// surrounding blanks ignored). The error is one line naming what is accepted.
    public static func parse(_ text: String) -> Result<RGBColor, ColorParseError> {
        let trimmed = String(text[...].trimmingBlanks())
        let lowered = trimmed.lowercased()
        if let match = named.first(where: { $0.name == lowered }) { return .success(match.color) }
        guard lowered.hasPrefix("#") else { return .failure(ColorParseError(text: trimmed)) }
        let digits = Array(lowered.utf8.dropFirst())
        let values = digits.compactMap(hexValue)
        guard values.count == digits.count else { return .failure(ColorParseError(text: trimmed)) }
        switch values.count {
        case 6:
            return .success(RGBColor(red: values[0] << 4 | values[1], green: values[2] << 4 | values[3],
                                     blue: values[4] << 4 | values[5]))
        case 3:
            return .success(RGBColor(red: values[0] * 17, green: values[1] * 17, blue: values[2] * 17))
        default:
            return .failure(ColorParseError(text: trimmed))
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Overlay colours, one per prompt in order (repeating after the last): saturated hues that are rare as
    /// object colours and distinct from each other, so a tint shows on the object it marks. The colours
    /// objects most often have, and prompts most often name (red, green, blue, yellow, white, black), are
    /// left out: "red circle" tinted red would be invisible.
    public static let overlayPalette: [RGBColor] = [
        RGBColor(red: 240, green: 50, blue: 230),   // magenta
        RGBColor(red: 0, green: 225, blue: 255),    // cyan
        RGBColor(red: 128, green: 255, blue: 0),    // lime
        RGBColor(red: 130, green: 70, blue: 255),   // violet
        RGBColor(red: 255, green: 140, blue: 0),    // orange
        RGBColor(red: 0, green: 150, blue: 130),    // teal
        RGBColor(red: 255, green: 150, blue: 200),  // pink
        RGBColor(red: 140, green: 90, blue: 30),    // brown
    ]

    /// Black or white, whichever contrasts more with this colour (Rec. 709 luma of the sRGB values at or
    /// above 128 → black): the overlay draws it just outside the palette-coloured edge of a region, so the
    /// outline shows on any background and any object.
    public var contrastingBlackOrWhite: RGBColor {
        let luma = 0.2126 * Double(red) + 0.7152 * Double(green) + 0.0722 * Double(blue)
        return luma >= 128 ? RGBColor(red: 0, green: 0, blue: 0) : RGBColor(red: 255, green: 255, blue: 255)
    }

    /// The overlay colour of prompt `index` (0-based).
    public static func overlayColor(forPrompt index: Int) -> RGBColor {
        overlayPalette[((index % overlayPalette.count) + overlayPalette.count) % overlayPalette.count]
    }
}

/// A colour that could not be parsed; `description` is the one-line message.
public struct ColorParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given (trimmed).
    public var text: String

    public var description: String {
        let names = RGBColor.named.map(\.name).joined(separator: ", ")
        return "invalid colour '\(text)': expected #rrggbb, #rgb or one of \(names)"
    }
}
