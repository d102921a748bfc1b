/// How CLIP's pre-tokenizer regex sees one Unicode scalar.
///
/// The reference (`tokenizers`, through the Oniguruma regex engine) classifies with Unicode 16 tables:
/// `\s` (the White_Space property), `\p{L}` (letters) and `\p{N}` (numbers). Swift's own tables are newer,
/// so scalars first assigned after Unicode 16 are treated as the reference treats them: as unassigned,
/// i.e. neither letter nor number. Checked against the reference for every scalar U+0000…U+10FFFF.
enum ScalarClass: Equatable {
    /// `\s`: collapsed to one space by the normalizer, a separator for the pre-tokenizer.
    case whitespace
    /// `\p{L}`: letters, taken in runs.
    case letter
    /// `\p{N}`: numbers, one scalar per piece.
    case number
    /// Everything else (punctuation, symbols, marks, controls, unassigned): taken in runs.
    case other

    /// The newest Unicode major version whose letters and numbers the reference regex engine knows.
    static let referenceUnicodeMajorVersion = 16

    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            self = Self.asciiTable[Int(value)]
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        guard let age = properties.age, age.major <= Self.referenceUnicodeMajorVersion else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        default:
            self = .other
        }
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { value in
        switch value {
        case 0x09...0x0D, 0x20: return .whitespace
        case 0x41...0x5A, 0x61...0x7A: return .letter
        case 0x30...0x39: return .number
        default: return .other
        }
    }
}
