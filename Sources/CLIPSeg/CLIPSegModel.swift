import Foundation
import TensorKit
import SafeTensors
import CLIPTokenizer
import ReducedPrecision

/// A loaded `CLIPSegForImageSegmentation`: text and image prompts → conditional embeddings,
/// query image → vision features, features + embeddings → segmentation logits.
///
/// Weights are immutable after `init`, so one model may serve any number of threads at once. Each
/// call takes an optional `InferenceWorkspace` (scratch memory): pass one per thread to reuse its
/// buffers across frames; a call without one allocates its own.
///
/// Typical use, many prompts against one image (the vision encoder runs once, the decoder once
/// batched over all prompts):
///
///     let model = try CLIPSegModel(directory: folder)
///     let prompts = try model.embed(text: ["a cat", "a dog"])             // [2, projection_dim]
///     let logits = try model.segment(rgb: bytes, width: w, height: h, conditionals: prompts)  // [2, O, O]
public final class CLIPSegModel: Sendable {
    public let configuration: CLIPSegConfiguration
    public let preprocessor: ImagePreprocessor
    /// The tokenizer for text prompts; nil when the folder has no vocab.json / merges.txt.
    public let tokenizer: CLIPTokenizer?
    /// Where the model was loaded from (nil when built from explicit parts).
    public let folder: ModelFolder?
    /// The format of the vision encoder's linear layers: nil for float32 (`DenseLayer`), else bf16 or
    /// int8 (oneDNN). Everything else always runs in float32.
    public let visionPrecision: ReducedPrecisionFormat?

    let text: TextEncoder
    let vision: VisionEncoder
    let decoder: CLIPSegDecoder

    /// Loads `config.json`, `preprocessor_config.json`, the weights (`model.safetensors`, else
    /// `pytorch_model.bin`) and, when present, the
    /// tokenizer from a Hugging Face model folder. Throws a one-line error naming the missing file,
    /// the bad configuration value, or the missing / mis-shaped / unexpected tensor.
    /// `visionPrecision` converts the vision encoder's linear layers to bf16 or int8 at load time
    /// (about 2–3× faster per frame on AVX-512 CPUs, masks slightly different; see `ReducedPrecisionFormat`).
    public convenience init(directory: URL, visionPrecision: ReducedPrecisionFormat? = nil) throws {
        let folder = ModelFolder(url: directory)
        try folder.requireModelFiles()
        let configuration = try CLIPSegConfiguration(contentsOf: folder.configuration)
        let preprocessing = try PreprocessorConfiguration(contentsOf: folder.preprocessorConfiguration)
        let weights = try openCheckpoint(at: folder.weights)
        var tokenizer: CLIPTokenizer?
        if (try? folder.requireTokenizerFiles()) != nil {
            let maxLength = configuration.text.maxPositionEmbeddings
            let loaded = try CLIPTokenizer(directory: directory)
            tokenizer = loaded.maxLength <= maxLength ? loaded
                : try CLIPTokenizer(vocabularyFile: folder.vocabulary, mergesFile: folder.merges, maxLength: maxLength)
        }
        try self.init(configuration: configuration, preprocessing: preprocessing, weights: weights,
                      tokenizer: tokenizer, folder: folder, visionPrecision: visionPrecision)
    }

    /// Builds the model from parsed configurations and an opened checkpoint.
    public init(configuration: CLIPSegConfiguration, preprocessing: PreprocessorConfiguration,
                weights: any CheckpointFile, tokenizer: CLIPTokenizer? = nil, folder: ModelFolder? = nil,
                visionPrecision: ReducedPrecisionFormat? = nil) throws {
        try configuration.validate()
        if let refusal = visionPrecision?.refusal { throw CLIPSegError.invalidInput(refusal) }
        try preprocessing.validate()
        let tensors = try CheckpointTensors(weights: weights, configuration: configuration)
        self.configuration = configuration
        preprocessor = ImagePreprocessor(configuration: preprocessing)
        self.tokenizer = tokenizer
        self.folder = folder
        text = try TextEncoder(tensors: tensors, configuration: configuration)
        let vision = try VisionEncoder(tensors: tensors, configuration: configuration)
        self.vision = try visionPrecision.map { try vision.converted(to: $0) } ?? vision
        self.visionPrecision = visionPrecision
        decoder = try CLIPSegDecoder(tensors: tensors, configuration: configuration)
        if let left = tensors.remainingNames.first {
            throw CLIPSegError.invalidInput("internal: checkpoint tensor '\(left)' was loaded but not used")
        }
    }

    // MARK: Prompts

    /// Token ids (with start and end tokens) for a text prompt.
    public func tokenize(_ prompt: String) throws -> [Int32] {
        guard let tokenizer else {
            // Name the file that is really missing (vocab.json first when both are).
            let hasVocabulary = folder.map { FileManager.default.fileExists(atPath: $0.vocabulary.path) } ?? false
            throw CLIPSegError.missingFile(folder: folder?.url.path ?? "(none)",
                                           file: hasVocabulary ? "merges.txt" : "vocab.json",
                                           purpose: hasVocabulary ? "the tokenizer's merge rules, needed for text prompts"
                                                                  : "the tokenizer vocabulary, needed for text prompts")
        }
        return tokenizer.encode(prompt)
    }

    /// True when `tokenize(prompt)` cuts the prompt short (more than `tokenizer.maxLength` tokens, 77 for
    /// CLIP): the words past the limit do not reach the model. False without a tokenizer.
    public func truncates(_ prompt: String) -> Bool {
        tokenizer?.truncates(prompt) ?? false
    }

    /// Conditional embeddings `[prompts, projection_dim]` of text prompts (`get_text_features`).
    public func embed(text prompts: [String], workspace: InferenceWorkspace? = nil) throws -> Tensor {
        try embed(tokenIDs: prompts.map(tokenize), workspace: workspace)
    }

    /// Conditional embeddings `[prompts, projection_dim]` of tokenized prompts (each with its start
    /// and end tokens, unpadded).
    public func embed(tokenIDs: [[Int32]], workspace: InferenceWorkspace? = nil) throws -> Tensor {
        try text.embed(tokenIDs, workspace: workspace ?? InferenceWorkspace())
    }

    /// Conditional embedding `[1, projection_dim]` of an image prompt given as RGB24 bytes
    /// (`get_image_features`: the full vision tower, post-layernormed class token, visual projection).
    public func embed(imageRGB rgb: [UInt8], width: Int, height: Int, workspace: InferenceWorkspace? = nil) throws -> Tensor {
        try embed(pixelValues: try pixelValues(rgb: rgb, width: width, height: height), workspace: workspace)
    }

    /// Conditional embedding `[1, projection_dim]` of preprocessed image-prompt pixels `[3, H, W]`.
    public func embed(pixelValues: Tensor, workspace: InferenceWorkspace? = nil) throws -> Tensor {
        try vision.embed(pixelValues, workspace: workspace ?? InferenceWorkspace())
    }

    // MARK: Query images

    /// `pixel_values` `[3, H, W]` for RGB24 bytes, exactly as the Hugging Face processor makes them.
    public func pixelValues(rgb: [UInt8], width: Int, height: Int) throws -> Tensor {
        try preprocessor.pixelValues(rgb: rgb, width: width, height: height)
    }

    /// Vision encoder activations at `extract_layers` for pixel values `[3, H, W]`; runs the encoder
    /// only up to the deepest extracted layer.
    public func visionFeatures(_ pixelValues: Tensor, workspace: InferenceWorkspace? = nil) throws -> VisionFeatures {
        let layers = configuration.extractLayers
        let run = try vision.run(pixelValues, through: configuration.deepestExtractLayer, capture: Set(layers),
                                 workspace: workspace ?? InferenceWorkspace())
        return VisionFeatures(activations: layers.map { run.states[$0]! }, gridHeight: run.gridHeight,
                              gridWidth: run.gridWidth)
    }

    /// `visionFeatures` for the next frame of a video, recomputing only the tokens that changed since the
    /// frames before it (`TokenReuse`, one per stream); also says what the frame cost. With the gate's
    /// threshold at 0 the features equal `visionFeatures`' (float32: bit for bit).
    public func visionFeatures(_ pixelValues: Tensor, reuse: TokenReuse,
                               workspace: InferenceWorkspace? = nil) throws -> (features: VisionFeatures, report: TokenReuseReport) {
        try vision.run(pixelValues, through: configuration.deepestExtractLayer, capture: configuration.extractLayers,
                       reuse: reuse, workspace: workspace ?? InferenceWorkspace())
    }

    /// Segmentation logits `[prompts, O, O]` for one image's features and `conditionals`
    /// (`[prompts, projection_dim]`, text and/or image prompt embeddings in any order).
    /// `O = grid · patch` (plain head) or `grid · (patch/4)²` (refined head).
    public func decode(_ features: VisionFeatures, conditionals: Tensor, workspace: InferenceWorkspace? = nil) throws -> Tensor {
        guard features.gridHeight == features.gridWidth else {
            throw CLIPSegError.invalidInput(
                "the decoder needs a square token grid, got \(features.gridWidth)×\(features.gridHeight) (use a square preprocessor size)")
        }
        return try decoder.logits(features, conditionals: conditionals, workspace: workspace ?? InferenceWorkspace())
    }

    /// Preprocess, encode and decode one RGB24 image for all `conditionals` at once: logits `[prompts, O, O]`.
    public func segment(rgb: [UInt8], width: Int, height: Int, conditionals: Tensor,
                        workspace: InferenceWorkspace? = nil) throws -> Tensor {
        let workspace = workspace ?? InferenceWorkspace()
        let features = try visionFeatures(try pixelValues(rgb: rgb, width: width, height: height), workspace: workspace)
        return try decode(features, conditionals: conditionals, workspace: workspace)
    }
}
