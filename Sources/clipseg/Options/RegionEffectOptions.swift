import ArgumentParser
import MaskRender
import Pipeline
import UserText

/// An effect per prompt: `--keep`, `--blur`, `--pixelate`, `--fill TEXT=COLOR`, `--remove`, `--redact TEXT[=COLOR]`.
/// Each TEXT is also a prompt (it need not be given with --prompt too); the video shows the `--mode` rendering of
/// the plain and kept prompts, with each effect painted over it (`RegionEffectPainter`'s order).
struct RegionEffectOptions: ParsableArguments {
    @Option(name: .customLong("keep"),
            help: ArgumentHelp("Keep what TEXT matches as it is: spared from --mode's background treatment "
                               + "(blur, replace, cutout), not tinted by overlay; repeat for several.", valueName: "TEXT"))
    var keep: [String] = []

    @Option(name: .customLong("blur"), help: ArgumentHelp("Blur what TEXT matches.", valueName: "TEXT"))
    var blur: [String] = []

    @Option(name: .customLong("pixelate"), help: ArgumentHelp("Pixelate what TEXT matches.", valueName: "TEXT"))
    var pixelate: [String] = []

    @Option(name: .customLong("fill"),
            help: ArgumentHelp("Paint what TEXT matches in COLOR (#rrggbb, #rgb or a name such as black).",
                               valueName: "TEXT=COLOR"))
    var fill: [String] = []

    @Option(name: .customLong("remove"),
            help: ArgumentHelp("Replace what TEXT matches by the background (--background, black by default).",
                               valueName: "TEXT"))
    var remove: [String] = []

    @Option(name: .customLong("redact"),
            help: ArgumentHelp("Privacy: paint what TEXT matches, grown by --redact-margin, solid (black, or COLOR). "
                               + "Fails closed: a frame whose masks are older than --redact-max-age (start-up, a stall, "
                               + "a long run of dropped frames) is painted whole instead of shown unredacted.",
                               valueName: "TEXT[=COLOR]"))
    var redact: [String] = []

    @Option(name: .customLong("redact-margin"), parsing: .unconditional,
            help: ArgumentHelp("Grow redacted regions by this many pixels (default: 1/60 of the shorter side, at least 4).",
                               valueName: "PX"))
    var redactMargin: Int?

    @Option(name: .customLong("redact-max-age"), parsing: .unconditional,
            help: ArgumentHelp("Oldest masks a redacted frame may be shown with, in seconds of video.", valueName: "S"))
    var redactMaxAge: Double = 1

    /// Every prompt with an effect, in option order (keep, blur, pixelate, fill, remove, redact).
    func assignments() throws -> [(prompt: String, effect: RegionEffect)] {
        var result: [(prompt: String, effect: RegionEffect)] = []
        result += keep.map { ($0, .keep) }
        result += blur.map { ($0, .blur) }
        result += pixelate.map { ($0, .pixelate) }
        for value in fill {
            let (text, color) = try Self.split(value, option: "--fill", defaultColor: nil)
            result.append((text, .fill(color)))
        }
        result += remove.map { ($0, .remove) }
        for value in redact {
            let (text, color) = try Self.split(value, option: "--redact", defaultColor: RGBColor(red: 0, green: 0, blue: 0))
            result.append((text, .redact(color)))
        }
        var seen: [String: String] = [:]
        for (prompt, effect) in result {
            guard !prompt.allSatisfy(\.isWhitespace) else { throw ValidationError("--\(effect.name): a prompt cannot be empty") }
            if let earlier = seen[PromptSet.key(prompt)] {
                throw ValidationError("'\(prompt.escapingControlCharacters)' has two effects (--\(earlier) and --\(effect.name)); give it one")
            }
            seen[PromptSet.key(prompt)] = effect.name
        }
        return result
    }

    /// The run's `PromptEffects`, after `validate()`.
    func promptEffects() throws -> PromptEffects {
        PromptEffects(try assignments(), redactionMaxAge: redactMaxAge, redactionMargin: redactMargin)
    }

    func validate() throws {
        _ = try assignments()
        if let redactMargin, !(0...1000).contains(redactMargin) {
            throw ValidationError("--redact-margin must be between 0 and 1000 pixels, got \(redactMargin)")
        }
        guard redactMaxAge > 0 && redactMaxAge.isFinite else { throw ValidationError("--redact-max-age must be a positive number of seconds") }
    }

    /// `TEXT=COLOR` at its last `=` (a prompt may contain `=`); without one, `defaultColor` or an error.
    private static func split(_ value: String, option: String, defaultColor: RGBColor?) throws -> (String, RGBColor) {
        guard let equals = value.lastIndex(of: "=") else {
            guard let defaultColor else { throw ValidationError("\(option) takes TEXT=COLOR, e.g. \(option) \"the papers=black\"") }
            return (value, defaultColor)
        }
        switch RGBColor.parse(String(value[value.index(after: equals)...])) {
        case .success(let color): return (String(value[..<equals]), color)
        case .failure(let error): throw ValidationError("\(option) \(value.escapingControlCharacters): \(error)")
        }
    }
}
