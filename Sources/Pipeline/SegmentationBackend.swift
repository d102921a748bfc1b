import VideoFrames

/// The model as the segmentation chain sees it, split into the steps the chain runs on different
/// threads: `prepare` (preprocess stage), `encode` (vision stage, once per frame), `embed` and
/// `decodeMasks` (mask decoder stage, all prompts of a frame at once).
///
/// "Decode" in this module always means the model's mask decoder; FFmpeg's video decoding is MediaIO's.
///
/// `CLIPSegBackend` is the real one; tests use fakes that count calls or block on demand. Every method
/// may block (BLAS); the chain calls them only from its dedicated stage threads. A backend is shared by
/// those threads, so it must be immutable or synchronised; per-thread memory lives in `Scratch`, which
/// each stage makes once and never shares.
public protocol SegmentationBackend: Sendable {
    /// A preprocessed frame (CLIPSeg: pixel values `[3, S, S]`).
    associatedtype Input: Sendable
    /// What the mask decoder needs from one frame (CLIPSeg: the vision encoder's extracted activations).
    associatedtype Features: Sendable
    /// Scratch memory owned by one stage thread (CLIPSeg: an `InferenceWorkspace`).
    associatedtype Scratch

    /// Fresh scratch memory for the stage thread that runs `step` (it may carry that step's thread count).
    func makeScratch(for step: ModelStep) -> Scratch

    /// `frame` → model input. `recycled` is an earlier input the chain is done with, whose storage may
    /// be reused (a pooled buffer), or nil; it is handed over (`consuming`) so that it can be written in place.
    func prepare(_ frame: RGBFrame, recycling recycled: consuming Input?) throws -> Input

    /// Runs the image encoder on one input: the expensive, prompt-independent part of a frame.
    func encode(_ input: Input, scratch: Scratch) throws -> Features

    /// The fraction of the image encoder's token-layer updates that `features` cost (0–1, token reuse:
    /// what was not reused from earlier frames), or nil when the backend recomputes every token.
    func tokensRecomputed(_ features: Features) -> Double?

    /// Conditional embeddings of text prompts, one row of `embeddingSize` floats per prompt, in order, and
    /// which prompts the model reads only in part (longer than its token limit).
    func embed(texts: [String], scratch: Scratch) throws -> TextEmbeddings

    /// The conditional embedding of an image prompt (`embeddingSize` floats).
    func embed(image: RGBFrame, scratch: Scratch) throws -> [Float]

    /// Logits of every prompt for one frame's features: the mask decoder, all prompts in one batch.
    func decodeMasks(_ features: Features, conditionals: ConditionalEmbeddings, scratch: Scratch) throws -> PromptLogits

    /// Floats per conditional embedding.
    var embeddingSize: Int { get }
}

extension SegmentationBackend {
    /// A backend without token reuse computes every token of every frame.
    public func tokensRecomputed(_ features: Features) -> Double? { nil }
}

/// The two model steps that run on stage threads of their own.
public enum ModelStep: Sendable, Equatable {
    /// The image encoder, once per frame (also used to embed prompts at start).
    case vision
    /// The mask decoder, all prompts of a frame at once (also embeds prompts added while running).
    case maskDecoder
}

/// Text prompts' conditional embeddings as a backend makes them.
public struct TextEmbeddings: Sendable, Equatable {
    /// One row of `embeddingSize` floats per prompt, in the order asked for.
    public var rows: [[Float]]
    /// The prompts cut at the model's token limit (their words past it are ignored), in order.
    public var truncated: [String]

    public init(rows: [[Float]], truncated: [String] = []) {
        self.rows = rows
        self.truncated = truncated
    }
}

/// Conditional embeddings stacked row by row: `[count, size]`, in the mask decoder's order.
public struct ConditionalEmbeddings: Sendable, Equatable {
    /// `count * size` floats, row-major.
    public var rows: [Float]
    public var count: Int
    public var size: Int

    public init(rows: [Float], count: Int, size: Int) {
        precondition(rows.count == count * size, "ConditionalEmbeddings: \(rows.count) floats for \(count)x\(size)")
        self.rows = rows
        self.count = count
        self.size = size
    }
}

/// Segmentation logits of one frame: `[count, height, width]`, one plane per prompt in the mask decoder's order
/// (before the sigmoid; `MaskShaper` upscales them to the frame).
public struct PromptLogits: Sendable, Equatable {
    public var values: [Float]
    public var count: Int
    public var width: Int
    public var height: Int

    public init(values: [Float], count: Int, width: Int, height: Int) {
        precondition(values.count == count * width * height, "PromptLogits: \(values.count) floats for \(count)x\(height)x\(width)")
        self.values = values
        self.count = count
        self.width = width
        self.height = height
    }
}
