/// The one-line warning `clipseg segment` prints once for a text prompt longer than the model's token
/// limit (77 ids for CLIP, start and end tokens included): the model reads only the first tokens, as
/// transformers' `CLIPSegProcessor` does with `truncation=True`, and the words past them are ignored.
///
///     warning: --prompt 'red red red red red red red red red red…' is longer than the model's 77 tokens; the words past them are ignored
enum PromptLengthWarning {
    /// The warning for `prompt`, given through `source` (`--prompt`, `--negative`, `--control`), with a
    /// token limit of `limit`. The prompt is shown up to `shown` characters, its control characters and
    /// line breaks as spaces, so the warning stays one line.
    static func message(source: String, prompt: String, limit: Int, shown: Int = 40) -> String {
        "warning: \(source) '\(excerpt(prompt, shown: shown))' is longer than the model's \(limit) tokens; "
            + "the words past them are ignored"
    }

    /// The first `shown` characters of `prompt` on one line, with `…` when it goes on.
    static func excerpt(_ prompt: String, shown: Int) -> String {
        var text = ""
        for character in prompt.prefix(max(1, shown)) {
            let isControl = character.unicodeScalars.contains { $0.properties.generalCategory == .control }
            text.append(isControl || character.isNewline ? " " : character)
        }
        return prompt.count > shown ? text + "…" : text
    }
}
