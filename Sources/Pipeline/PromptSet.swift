import MaskRender
import UserText

/// The ordered list of text prompts of a run, changed by `--control` commands between frames.
///
/// Order matters: it is the order of overlay colours, of `labels` values (1-based) and of `stack` masks.
/// Two prompts that differ only in letter case or spacing count as the same prompt (CLIP's tokenizer
/// lowercases and collapses blanks, so they would give identical masks): adding one is refused and
/// removing matches it.
public struct PromptSet: Sendable, Equatable {
    /// The prompts, in order, as the user wrote them (trimmed).
    public private(set) var prompts: [String]
    /// Increases by one on every change, so caches (prompt embeddings, mask smoothing) know when to refresh.
    public private(set) var revision = 0
    /// When false, removing the last prompt is refused (a run needs something to segment).
    public let allowsEmpty: Bool

    /// A set of `prompts` in order. Fails on an empty prompt or a duplicate, or on no prompts at all
    /// unless `allowsEmpty` (e.g. when image prompts are given too).
    public init(_ prompts: [String], allowsEmpty: Bool = false) throws(ControlCommandError) {
        self.allowsEmpty = allowsEmpty
        self.prompts = []
        try replace(with: prompts)
        revision = 0
    }

    /// The result of applying a control command.
    public enum Change: Sendable, Equatable {
        /// The prompt list changed (next frame uses it).
        /// `truncated`: the added prompts the model reads only in part (set by `PromptBook`, which embeds them).
        case promptsChanged(added: [String], removed: [String], truncated: [String] = [])
        /// A new threshold for the mask shaper (not stored here).
        case thresholdChanged(Float)
        /// A new smoothing weight for the mask shaper (1: none; not stored here).
        case smoothingChanged(Float)
        /// A prompt's effect changed (nil: none); `added`: the prompt was not in the set and was added for it.
        case effectChanged(prompt: String, effect: RegionEffect?, added: Bool)
        /// Stop the run, as on SIGINT.
        case quit
        /// Nothing changed; the one-line reason is meant to be printed.
        case refused(String)
    }

    /// Applies `command`. Prompt commands change the set (or are refused with a message and leave it as
    /// it was); `threshold`, `smooth` and `quit` are passed through for the caller to act on.
    public mutating func apply(_ command: ControlCommand) -> Change {
        let before = prompts
        do {
            switch command {
            case .addPrompt(let text): try add(text)
            case .removePrompt(let text): try remove(text)
            case .setPrompts(let texts): try replace(with: texts)
            case .threshold(let value): return .thresholdChanged(value)
            case .smoothing(let value): return .smoothingChanged(value)
            case .effect(let prompt, let effect):
                // The prompt is added when it is new (the compose stage keeps the effect itself).
                let added = effect != nil && index(of: prompt) == nil
                if added { try add(prompt) }
                return .effectChanged(prompt: String(prompt[...].trimmingBlanks()), effect: effect, added: added)
            case .quit: return .quit
            }
        } catch {
            return .refused(error.message)
        }
        let beforeKeys = Set(before.map(Self.key)), afterKeys = Set(prompts.map(Self.key))
        return .promptsChanged(added: prompts.filter { !beforeKeys.contains(Self.key($0)) },
                               removed: before.filter { !afterKeys.contains(Self.key($0)) })
    }

    /// Appends `text`. Fails if it is empty or already present.
    public mutating func add(_ text: String) throws(ControlCommandError) {
        let prompt = String(text[...].trimmingBlanks())
        guard !prompt.isEmpty else { throw ControlCommandError("a prompt cannot be empty") }
        if let existing = index(of: prompt) {
            throw ControlCommandError("prompt '\(prompt.escapingControlCharacters)' is already in use "
                                      + "(as '\(prompts[existing].escapingControlCharacters)')")
        }
        prompts.append(prompt)
        revision += 1
    }

    /// Removes `text`. Fails if it is not present, or if it is the last one and the set may not be empty.
    public mutating func remove(_ text: String) throws(ControlCommandError) {
        let prompt = String(text[...].trimmingBlanks())
        guard let found = index(of: prompt) else {
            let list = prompts.isEmpty ? "none"
                : prompts.map { "'\($0.escapingControlCharacters)'" }.joined(separator: ", ")
            throw ControlCommandError("no prompt '\(prompt.escapingControlCharacters)' to remove (prompts: \(list))")
        }
        guard allowsEmpty || prompts.count > 1 else {
            throw ControlCommandError("cannot remove the last prompt '\(prompts[found].escapingControlCharacters)'; "
                                      + "use 'prompt set' to replace it")
        }
        prompts.remove(at: found)
        revision += 1
    }

    /// Replaces the whole list. Fails (leaving the set as it was) on an empty item, a duplicate, or an
    /// empty list when the set may not be empty.
    public mutating func replace(with texts: [String]) throws(ControlCommandError) {
        var candidate: [String] = []
        var keys = Set<String>()
        for text in texts {
            let prompt = String(text[...].trimmingBlanks())
            guard !prompt.isEmpty else { throw ControlCommandError("a prompt cannot be empty") }
            guard keys.insert(Self.key(prompt)).inserted else {
                throw ControlCommandError("prompt '\(prompt.escapingControlCharacters)' is given twice")
            }
            candidate.append(prompt)
        }
        guard allowsEmpty || !candidate.isEmpty else { throw ControlCommandError("at least one prompt is needed") }
        if candidate != prompts {
            prompts = candidate
            revision += 1
        }
    }

    /// Position of the prompt equal to `text` (ignoring case and spacing), if any.
    public func index(of text: String) -> Int? {
        let wanted = Self.key(text)
        return prompts.firstIndex { Self.key($0) == wanted }
    }

    /// Lowercased, blanks collapsed to single spaces: prompts with the same key give the same tokens.
    public static func key(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
