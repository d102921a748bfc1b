import CLIPSeg

/// What one stage thread of `CLIPSegBackend` keeps between frames: its `InferenceWorkspace` (scratch
/// memory, the threads of one pass) and, on the vision thread of a `--reuse` run, the stream's
/// `TokenReuse` cache. Owned by that thread alone.
final class CLIPSegScratch {
    let workspace: InferenceWorkspace
    let reuse: TokenReuse?

    init(workspace: InferenceWorkspace, reuse: TokenReuse?) {
        self.workspace = workspace
        self.reuse = reuse
    }

    /// Threads one pass on this scratch may use.
    var threads: Int { workspace.threads }
}

/// One frame's image encoding as `CLIPSegBackend` hands it to the mask decoder: the vision features and,
/// with token reuse, what reuse saved on it.
struct EncodedImage: Sendable {
    var features: VisionFeatures
    var reuse: TokenReuseReport?

    var gridHeight: Int { features.gridHeight }
    var gridWidth: Int { features.gridWidth }
}
