import MaskRender

/// Which prompts get an effect of their own (`RegionEffect`: keep, blur, pixelate, fill, remove, redact),
/// by prompt (matched as `PromptSet` matches prompts: letter case and spacing do not count), and the rules
/// of redaction: how far regions grow and how old masks may be before a redacted picture is blanked.
///
/// Prompts without an effect are the "objects" of `--mode` (as `keep` prompts are); the others are painted
/// by `RegionEffectPainter` over the `--mode` rendering.
public struct PromptEffects: Sendable, Equatable {
    private var table: [String: RegionEffect] = [:]
    /// Redaction fails closed: a frame whose masks were computed on a frame more than this many seconds
    /// earlier (media time), or before any masks exist, is blanked in the redaction colour.
    public var redactionMaxAge: Double
    /// How far redacted regions grow, in pixels (nil: the painter's default for the frame size).
    public var redactionMargin: Int?

    public init(_ effects: [(prompt: String, effect: RegionEffect)] = [], redactionMaxAge: Double = 1,
                redactionMargin: Int? = nil) {
        self.redactionMaxAge = redactionMaxAge
        self.redactionMargin = redactionMargin
        for (prompt, effect) in effects { set(effect, for: prompt) }
    }

    /// Gives `prompt` `effect` (nil: none, the prompt is an object of `--mode` again).
    public mutating func set(_ effect: RegionEffect?, for prompt: String) {
        table[PromptSet.key(prompt)] = effect
    }

    public func effect(for prompt: String) -> RegionEffect? { table[PromptSet.key(prompt)] }

    /// Each prompt's effect, in the prompts' order.
    public func effects(for prompts: [String]) -> [RegionEffect?] { prompts.map(effect(for:)) }

    /// True when no prompt has an effect.
    public var isEmpty: Bool { table.isEmpty }

    /// The colour of the first redaction (by prompt), nil when nothing is redacted.
    public var redactionColor: RGBColor? {
        table.keys.sorted().lazy.compactMap { key -> RGBColor? in
            if case .redact(let color) = self.table[key] { return color } else { return nil }
        }.first
    }

    /// True when a prompt is redacted but `prompts` (the prompts the current masks were made for) lacks it:
    /// a prompt added since, which has no mask yet.
    public func redactsBeyond(_ prompts: [String]) -> Bool {
        let present = Set(prompts.map(PromptSet.key))
        return table.contains { key, effect in
            if case .redact = effect { return !present.contains(key) } else { return false }
        }
    }
}
