/// CLIP's normalizer, in the reference's order: Unicode NFC, every run of whitespace (`\s+`) replaced by one
/// space, then each scalar replaced by its full lower-case mapping (e.g. `İ` → `i̇`, no context rules such as
/// final sigma). Leading and trailing spaces are kept; the pre-tokenizer drops them.
enum TextNormalizer {
    static func normalize(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        let composed = canonicallyComposed(scalars)
        var result = [Unicode.Scalar]()
        result.reserveCapacity(composed.count)
        var previousWasSpace = false
        for scalar in composed {
            let value = scalar.value
            if value < 0x80 {
                if ScalarClass(scalar) == .whitespace {
                    if !previousWasSpace { result.append(" ") }
                    previousWasSpace = true
                    continue
                }
                previousWasSpace = false
                let isUpper = value >= 0x41 && value <= 0x5A
                result.append(isUpper ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            } else if scalar.properties.isWhitespace {
                if !previousWasSpace { result.append(" ") }
                previousWasSpace = true
            } else {
                previousWasSpace = false
                if scalar.properties.changesWhenLowercased {
                    result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    result.append(scalar)
                }
            }
        }
        return result
    }

    /// The newest Unicode major version the reference's NFC tables know (`tokenizers` normalizes with the
    /// `unicode-normalization-alignments` crate, whose tables are Unicode 9.0). Verified against the reference:
    /// every combining mark up to 9.0 is reordered, none from 10.0 to 14.0.
    static let referenceNormalizationUnicodeMajorVersion = 9

    /// NFC as the reference computes it. A scalar assigned after Unicode 9.0 is, to the reference, a starter
    /// with no decomposition that composes with nothing, so nothing is reordered or composed across it:
    /// the text is normalized in pieces between such scalars, which are kept as they are. (Older scalars'
    /// decompositions, combining classes and composition exclusions never change between Unicode versions.)
    /// Text made only of scalars below U+0300 is already in NFC (no combining marks, no Hangul jamo, no
    /// singleton decompositions there), so it is passed through.
    private static func canonicallyComposed(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        guard scalars.contains(where: { $0.value >= 0x300 }) else { return Array(scalars) }
        var result = [Unicode.Scalar]()
        result.reserveCapacity(scalars.count)
        var pieceStart = scalars.startIndex
        for index in scalars.indices where scalars[index].value >= 0x300 && isUnknownToReference(scalars[index]) {
            appendComposed(scalars[pieceStart..<index], to: &result)
            result.append(scalars[index])
            pieceStart = index + 1
        }
        appendComposed(scalars[pieceStart..<scalars.endIndex], to: &result)
        return result
    }

    private static func isUnknownToReference(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return true }
        return age.major > referenceNormalizationUnicodeMajorVersion
    }

    private static func appendComposed(_ scalars: ArraySlice<Unicode.Scalar>, to result: inout [Unicode.Scalar]) {
        guard scalars.contains(where: { $0.value >= 0x300 }) else {
            result.append(contentsOf: scalars)
            return
        }
        var text = String()
        for scalar in scalars {
            if let decomposition = starterWithNonStarterDecomposition[scalar] {
                text.unicodeScalars.append(contentsOf: decomposition)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        // The standard library's own NFC (what String comparison uses). Not Foundation's
        // `precomposedStringWithCanonicalMapping`: on Linux that one leaves Hangul LV + T jamo uncomposed and
        // composes supplementary-plane scalars as if they were their low 16 bits (U+10041 U+0301 → Á).
        result.append(contentsOf: String(decoding: text._nfcCodeUnits, as: UTF8.self).unicodeScalars)
    }

    /// The only scalars with combining class 0 whose canonical decomposition starts with a non-starter.
    /// The standard library's NFC takes them for segment boundaries and so fails to reorder marks around
    /// them (U+1DCF U+0F73 stays as is instead of U+0F71 U+0F72 U+1DCF); handing it their decompositions,
    /// which NFC keeps anyway (they never recompose), gives the right result.
    private static let starterWithNonStarterDecomposition: [Unicode.Scalar: [Unicode.Scalar]] = [
        "\u{0F73}": ["\u{0F71}", "\u{0F72}"],
        "\u{0F75}": ["\u{0F71}", "\u{0F74}"],
        "\u{0F81}": ["\u{0F71}", "\u{0F80}"],
    ]
}
