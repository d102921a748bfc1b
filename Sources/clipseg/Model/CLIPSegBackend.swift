import CLIPSeg
import MediaIO
import Pipeline
import TensorKit
import VideoFrames

/// The real `SegmentationBackend`: a loaded `CLIPSegModel`, optionally run at another input size than
/// its preprocessor's (`--size N`: frames resized to `N × N`; the vision tower interpolates its position
/// embeddings for the new token grid, as transformers does).
///
/// Immutable after `init` and safe to share between stage threads; scratch is one
/// `InferenceWorkspace` per thread, carrying the threads one pass of that step may use
/// (`InferenceWorkspace(threads:)`: layers split over libdispatch threads while OpenBLAS itself runs
/// single-threaded, so two stages computing at once never fight over OpenBLAS's spinning thread pool).
struct CLIPSegBackend: SegmentationBackend {
    let model: CLIPSegModel
    /// Text and image prompts → conditional embeddings (the one prompt path of every command).
    let prompts: PromptEncoder
    /// Frames → pixel values at the model input size (the checkpoint's, or `--size`).
    let preprocessor: ImagePreprocessor
    /// Threads of one vision-encoder pass and of one mask-decoder pass (live runs decode masks on all the
    /// vision's threads between two encodings; file runs decode them on one alongside the next encoding).
    let visionThreads: Int
    var maskDecoderThreads: Int
    /// Token reuse between the frames of the stream (`--reuse`): each vision scratch carries its own
    /// `TokenReuse` made with these settings; nil recomputes every token of every frame.
    var tokenReuse: TokenReuseSettings?

    /// Uses `model` at `inputSize × inputSize` when given, else at its preprocessor's size.
    /// Throws a one-line error when `inputSize` is not a positive multiple of the patch size.
    init(model: CLIPSegModel, inputSize: Int? = nil, visionThreads: Int = 1, maskDecoderThreads: Int = 1) throws {
        // The backend's passes split their work over their own threads (`InferenceWorkspace(threads:)`), so
        // OpenBLAS runs single-threaded: its pool is process-wide and its threads spin, and the two kinds of
        // threads would oversubscribe the cores.
        MatrixMultiply.threadCount = 1
        self.model = model
        prompts = PromptEncoder(model: model)
        self.visionThreads = max(1, visionThreads)
        self.maskDecoderThreads = max(1, maskDecoderThreads)
        guard let inputSize else {
            preprocessor = model.preprocessor
            return
        }
        let patch = model.configuration.vision.patchSize
        guard inputSize >= patch, inputSize % patch == 0 else {
            throw CLIPSegError.invalidInput(
                "--size must be a positive multiple of the model's patch size \(patch), got \(inputSize)")
        }
        var configuration = model.preprocessor.configuration
        configuration.doResize = true
        configuration.size = .exact(height: inputSize, width: inputSize)
        preprocessor = ImagePreprocessor(configuration: configuration)
    }

    /// The square side frames are resized to for a `width × height` frame (nil when not square).
    func inputSide(width: Int, height: Int) -> Int? {
        let size = preprocessor.outputSize(width: width, height: height)
        return size.height == size.width ? size.width : nil
    }

    var embeddingSize: Int { model.configuration.projectionDim }

    func makeScratch(for step: ModelStep) -> CLIPSegScratch {
        let reuse = step == .vision ? tokenReuse.flatMap { try? TokenReuse(settings: $0) } : nil
        return CLIPSegScratch(workspace: InferenceWorkspace(threads: step == .vision ? visionThreads : maskDecoderThreads),
                              reuse: reuse)
    }

    func prepare(_ frame: RGBFrame, recycling recycled: consuming Tensor?) throws -> Tensor {
        // Consumed, so `values` is the only reference and its storage is written in place.
        var values = (consume recycled) ?? Tensor(shape: [0])
        // On the vision threads' count: live runs preprocess on the vision stage, right before encoding.
        try preprocessor.pixelValues(rgb: frame.pixels, width: frame.width, height: frame.height, into: &values,
                                     threads: visionThreads)
        return values
    }

    func encode(_ input: Tensor, scratch: CLIPSegScratch) throws -> EncodedImage {
        guard let reuse = scratch.reuse else {
            return EncodedImage(features: try model.visionFeatures(input, workspace: scratch.workspace), reuse: nil)
        }
        let (features, report) = try model.visionFeatures(input, reuse: reuse, workspace: scratch.workspace)
        return EncodedImage(features: features, reuse: report)
    }

    func tokensRecomputed(_ features: EncodedImage) -> Double? { features.reuse?.tokensRecomputed }

    func embed(texts: [String], scratch: CLIPSegScratch) throws -> TextEmbeddings {
        let scratch = scratch.workspace
        guard !texts.isEmpty else { return TextEmbeddings(rows: []) }
        let tokenized = try prompts.tokenize(texts)
        return TextEmbeddings(rows: Self.rows(of: try prompts.embed(tokenized, workspace: scratch)),
                              truncated: tokenized.truncated)
    }

    func embed(image: RGBFrame, scratch: CLIPSegScratch) throws -> [Float] {
        let scratch = scratch.workspace
        return try prompts.embed(imageRGB: image.pixels, width: image.width, height: image.height, workspace: scratch).data
    }

    func decodeMasks(_ features: EncodedImage, conditionals: ConditionalEmbeddings,
                     scratch: CLIPSegScratch) throws -> PromptLogits {
        let tensor = Tensor(shape: [conditionals.count, conditionals.size], data: conditionals.rows)
        let logits = try model.decode(features.features, conditionals: tensor, workspace: scratch.workspace)
        return PromptLogits(values: logits.data, count: logits.shape[0], width: logits.shape[2], height: logits.shape[1])
    }

    /// The rows of a `[n, d]` tensor.
    private static func rows(of tensor: Tensor) -> [[Float]] {
        let size = tensor.innerSize
        return (0..<(tensor.count / max(size, 1))).map { Array(tensor.data[($0 * size)..<(($0 + 1) * size)]) }
    }
}
