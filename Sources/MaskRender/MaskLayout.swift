/// How several prompts' masks are written to the mask stream (`--mask-layout`).
public enum MaskLayout: String, Sendable, CaseIterable {
    /// One gray mask per frame: the maximum over the prompts.
    case union
    /// One gray plane per frame: pixel = 1-based index of the most probable prompt whose probability
    /// reaches the threshold, 0 where none does.
    case labels
    /// One mask per prompt per frame, prompts in order.
    case stack
}
