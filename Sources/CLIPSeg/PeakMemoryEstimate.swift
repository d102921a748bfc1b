import Foundation
import ReducedPrecision

/// An upper bound of the memory a run of a CLIPSeg model adds to the process at its peak, in bytes,
/// worked out from the model's configuration and the run's settings before anything is loaded, so that a
/// run that cannot fit is refused instead of failing an allocation halfway (`MemoryLimit` says what fits).
///
/// A run has two phases that do not overlap:
/// - loading: the checkpoint's memory mapping (`weightFileBytes`, resident as it is read), every weight as
///   float32, the reduced-precision copies being made, and the largest loading transient (`WeightMemory`);
/// - running: the resident weights, the scratch of every `InferenceWorkspace` (`WorkspaceMemory`: the
///   attention scores, `[tokens, tokens]` floats per attention piece, dominate at large sizes), the model
///   tensors frames hold between stages (`inputsInFlight` pixel values `[3, side, side]`, `featuresInFlight`
///   vision features `[extract layers, tokens, hidden]`, `logitsInFlight` logits `[prompts, O, O]`, all
///   float32), the preprocessor's resize intermediates, and the caller's own buffers (`otherBytes`).
///
/// `residentBytes` is the larger phase plus 10 % and 64 MiB for the allocator's slack and library pages
/// touched later; `addressSpaceBytes` adds, for each thread the run will start, a stack and (up to 8 per
/// core, as glibc does) a 64 MiB malloc arena reservation, which count against `RLIMIT_AS` though they are
/// barely touched. The library names no command-line option: callers turn the numbers into messages.
public struct PeakMemoryEstimate: Sendable, Equatable {
    /// How a run uses the model: everything the estimate needs besides the input size.
    public struct Run: Sendable, Equatable {
        /// Prompts decoded together for every frame (text, image and negative prompts), at least 1.
        public var prompts: Int
        /// Text prompts embedded together by the text tower.
        public var textPrompts: Int
        /// Image prompts, each embedded by the vision tower at the model's own input size.
        public var imagePrompts: Int
        /// The vision encoder's linear layers' format; nil for float32.
        public var precision: ReducedPrecisionFormat?
        /// Whether the vision attention products then run in bf16 by blocks of query rows (CPUs with bf16
        /// matmuls, `ReducedPrecisionFormat.bf16.isAvailable`) instead of on whole float32 score matrices.
        public var bf16AttentionProducts: Bool
        /// Size of the checkpoint file `model.safetensors` (bytes), memory-mapped while loading.
        public var weightFileBytes: Int
        /// Threads of one vision pass and of one decoder pass (`InferenceWorkspace.threads`).
        public var visionThreads = 1
        public var decoderThreads = 1
        /// True when one workspace runs both the vision tower and the decoder (one thread does both, as
        /// `clipseg image` does); false when each has its own (the segmentation pipeline, `bench`).
        public var sharedWorkspace = false
        /// Frames' model tensors alive at once: preprocessed inputs, vision features, logits.
        public var inputsInFlight = 1
        public var featuresInFlight = 1
        public var logitsInFlight = 1
        /// Size of the frames given to the preprocessor (pixels; 0 when not known yet).
        public var frameWidth = 0
        public var frameHeight = 0
        /// Bytes the caller holds besides the model while it runs (frames, masks, codecs).
        public var otherBytes = 0
        /// Threads the run will start besides those running now.
        public var newThreads = 0
        /// Whether the vision tower keeps a `TokenReuse` cache (`TokenReuse.byteCount`), plus the pixels
        /// and features of the previous frame.
        public var tokenReuse = false

        public init(prompts: Int, textPrompts: Int, imagePrompts: Int, precision: ReducedPrecisionFormat?,
                    weightFileBytes: Int) {
            self.prompts = max(1, prompts)
            self.textPrompts = textPrompts
            self.imagePrompts = imagePrompts
            self.precision = precision
            bf16AttentionProducts = precision != nil && ReducedPrecisionFormat.bf16.isAvailable
            self.weightFileBytes = max(0, weightFileBytes)
        }
    }

    /// The model's input side in pixels (frames are resized to `inputSide × inputSide`).
    public let inputSide: Int
    /// While loading: mapping, float32 weights, reduced copies, transient (bytes).
    public let loading: Int
    /// Weights resident once loaded (bytes).
    public let weights: Int
    /// Scratch of the run's workspaces (bytes).
    public let workspaces: Int
    /// Pixel values, vision features, logits in flight, the preprocessor's resize intermediates and the
    /// token-reuse cache (bytes).
    public let tensorsInFlight: Int
    /// The caller's `otherBytes`.
    public let other: Int
    /// Address space reserved by the threads the run starts (bytes).
    public let threadReservations: Int

    /// Allocator slack and library pages touched after the estimate: 10 % and this much more.
    static let fixedSlack = 64 << 20
    /// glibc's arena reservation per thread that mallocs (`HEAP_MAX_SIZE` on 64-bit).
    static let arenaReservation = 64 << 20

    public init(configuration c: CLIPSegConfiguration, inputSide: Int, run: Run) {
        self.inputSide = inputSide
        let v = c.vision, grid = max(1, inputSide / v.patchSize), tokens = 1 + grid * grid
        let weightMemory = WeightMemory(configuration: c, precision: run.precision)
        loading = run.weightFileBytes + weightMemory.loading
        weights = weightMemory.resident
        let bf16Products = run.precision != nil && run.bf16AttentionProducts
        var vision = WorkspaceMemory.vision(c, side: inputSide, threads: run.visionThreads, precision: run.precision,
                                            bf16Products: bf16Products)
            .merged(with: .text(c, prompts: run.textPrompts, threads: run.visionThreads))
        if run.imagePrompts > 0 {
            vision = vision.merged(with: .vision(c, side: v.imageSize, threads: run.visionThreads,
                                                 precision: run.precision, bf16Products: bf16Products))
        }
        let decoder = WorkspaceMemory.decoder(c, grid: grid, prompts: run.prompts,
                                              threads: run.sharedWorkspace ? run.visionThreads : run.decoderThreads)
        workspaces = run.sharedWorkspace ? vision.merged(with: decoder).total : vision.total + decoder.total
        let logitsSide = c.logitsSide(grid: grid)
        let input = 4 * 3 * inputSide * inputSide
        let features = 4 * c.extractLayers.count * tokens * v.hiddenSize
        let logits = 4 * run.prompts * logitsSide * logitsSide
        // Pillow's two resize passes: the frame resized across (side × frame height), then down (side × side).
        let resize = 3 * inputSide * (max(run.frameHeight, inputSide) + inputSide)
        let reuse = run.tokenReuse ? TokenReuse.byteCount(layerCount: c.deepestExtractLayer + 1, tokens: tokens,
                                                           hidden: v.hiddenSize) + input + features : 0
        tensorsInFlight = run.inputsInFlight * input + run.featuresInFlight * features + run.logitsInFlight * logits
            + resize + reuse
        other = max(0, run.otherBytes)
        let arenas = min(run.newThreads, 8 * ProcessInfo.processInfo.activeProcessorCount)
        threadReservations = run.newThreads * Self.threadStackBytes + arenas * Self.arenaReservation
    }

    /// Resident memory at the run's peak (bytes).
    public var residentBytes: Int {
        let running = weights + workspaces + tensorsInFlight + other
        let peak = max(loading, running)
        return peak + peak / 10 + Self.fixedSlack
    }

    /// Address space at the run's peak (bytes): `residentBytes` and the threads' reservations.
    public var addressSpaceBytes: Int { residentBytes + threadReservations }

    /// The largest input side, a multiple of the model's patch size up to `limit`, whose estimate
    /// `fits`; nil when not even one patch does. Estimates grow with the side, so the search stops at the
    /// first side that fits, counting down.
    public static func largestInputSide(configuration: CLIPSegConfiguration, run: Run, upTo limit: Int,
                                        fits: (PeakMemoryEstimate) -> Bool) -> Int? {
        let patch = configuration.vision.patchSize
        guard patch > 0 else { return nil }
        for side in stride(from: limit / patch * patch, through: patch, by: -patch)
        where fits(PeakMemoryEstimate(configuration: configuration, inputSide: side, run: run)) {
            return side
        }
        return nil
    }

    /// A new thread's stack: `RLIMIT_STACK`, as glibc sizes default stacks (32 MiB when unlimited or unreadable).
    static let threadStackBytes: Int = {
        guard let limit = MemoryLimit.softLimit(RLIMIT_STACK), limit < 1 << 32 else { return 32 << 20 }
        return max(limit, 1 << 20)
    }()
}
