import Foundation

/// A `CLIPSegForImageSegmentation` configuration as Hugging Face writes it in `config.json`
/// (snake_case keys, `text_config` / `vision_config` nested). Every field that changes the maths is
/// read; a field absent from the file takes transformers' default for `CLIPSegConfig`.
public struct CLIPSegConfiguration: Codable, Sendable, Equatable {
    /// The CLIP text tower (`text_config`).
    public var text: TextConfiguration
    /// The CLIP vision tower (`vision_config`).
    public var vision: VisionConfiguration
    /// Width of the joint embedding space (`projection_dim`): text and image prompts are projected to it.
    public var projectionDim: Int
    /// Vision encoder layers (0-based) whose outputs feed the decoder (`extract_layers`).
    public var extractLayers: [Int]
    /// Decoder width (`reduce_dim`).
    public var reduceDim: Int
    /// Decoder step at which the prompt modulates the features by FiLM (`conditional_layer`).
    public var conditionalLayer: Int
    /// Decoder attention heads (`decoder_num_attention_heads`).
    public var decoderAttentionHeadCount: Int
    /// Decoder MLP width (`decoder_intermediate_size`).
    public var decoderIntermediateSize: Int
    /// `decoder_hidden_act` as written; transformers ignores it and the decoder MLP always uses ReLU.
    public var decoderHiddenActivation: String
    /// Refined upsampling head: conv 3×3 + two transposed convs of stride `patch/4`
    /// (`use_complex_transposed_convolution`); otherwise one transposed conv of stride `patch`.
    public var useComplexTransposedConvolution: Bool
    /// `logit_scale_init_value` (CLIP's contrastive temperature; unused by segmentation).
    public var logitScaleInitValue: Double

    enum CodingKeys: String, CodingKey {
        case text = "text_config", vision = "vision_config", projectionDim = "projection_dim"
        case extractLayers = "extract_layers", reduceDim = "reduce_dim", conditionalLayer = "conditional_layer"
        case decoderAttentionHeadCount = "decoder_num_attention_heads"
        case decoderIntermediateSize = "decoder_intermediate_size", decoderHiddenActivation = "decoder_hidden_act"
        case useComplexTransposedConvolution = "use_complex_transposed_convolution"
        case logitScaleInitValue = "logit_scale_init_value"
    }

    public init(text: TextConfiguration = TextConfiguration(), vision: VisionConfiguration = VisionConfiguration(),
                projectionDim: Int = 512, extractLayers: [Int] = [3, 6, 9], reduceDim: Int = 64,
                conditionalLayer: Int = 0, decoderAttentionHeadCount: Int = 4, decoderIntermediateSize: Int = 2048,
                decoderHiddenActivation: String = "quick_gelu", useComplexTransposedConvolution: Bool = false,
                logitScaleInitValue: Double = 2.6592) {
        self.text = text
        self.vision = vision
        self.projectionDim = projectionDim
        self.extractLayers = extractLayers
        self.reduceDim = reduceDim
        self.conditionalLayer = conditionalLayer
        self.decoderAttentionHeadCount = decoderAttentionHeadCount
        self.decoderIntermediateSize = decoderIntermediateSize
        self.decoderHiddenActivation = decoderHiddenActivation
        self.useComplexTransposedConvolution = useComplexTransposedConvolution
        self.logitScaleInitValue = logitScaleInitValue
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPSegConfiguration()
        text = try c.decodeIfPresent(TextConfiguration.self, forKey: .text) ?? d.text
        vision = try c.decodeIfPresent(VisionConfiguration.self, forKey: .vision) ?? d.vision
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
        extractLayers = try c.decodeIfPresent([Int].self, forKey: .extractLayers) ?? d.extractLayers
        reduceDim = try c.decodeIfPresent(Int.self, forKey: .reduceDim) ?? d.reduceDim
        conditionalLayer = try c.decodeIfPresent(Int.self, forKey: .conditionalLayer) ?? d.conditionalLayer
        decoderAttentionHeadCount = try c.decodeIfPresent(Int.self, forKey: .decoderAttentionHeadCount)
            ?? d.decoderAttentionHeadCount
        decoderIntermediateSize = try c.decodeIfPresent(Int.self, forKey: .decoderIntermediateSize)
            ?? d.decoderIntermediateSize
        decoderHiddenActivation = try c.decodeIfPresent(String.self, forKey: .decoderHiddenActivation)
            ?? d.decoderHiddenActivation
        useComplexTransposedConvolution = try c.decodeIfPresent(Bool.self, forKey: .useComplexTransposedConvolution)
            ?? d.useComplexTransposedConvolution
        logitScaleInitValue = try c.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? d.logitScaleInitValue
    }

    /// Reads and validates `config.json`. Legacy `text_config_dict` / `vision_config_dict` entries
    /// override `text_config` / `vision_config` key by key, as transformers does.
    public init(contentsOf url: URL) throws {
        let file = url.path
        let data = try configurationFileData(url)
        do {
            guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIPSegError.invalidConfiguration(file: file, reason: "not a JSON object")
            }
            for (tower, legacy) in [("text_config", "text_config_dict"), ("vision_config", "vision_config_dict")] {
                if let overrides = object[legacy] as? [String: Any] {
                    var merged = object[tower] as? [String: Any] ?? [:]
                    merged.merge(overrides) { _, new in new }
                    object[tower] = merged
                }
            }
            let normalized = try JSONSerialization.data(withJSONObject: object)
            self = try JSONDecoder().decode(CLIPSegConfiguration.self, from: normalized)
        } catch let error as CLIPSegError {
            throw error
        } catch let error as DecodingError {
            throw CLIPSegError.invalidConfiguration(file: file, reason: error.oneLineDescription)
        } catch {
            throw CLIPSegError.invalidConfiguration(file: file, reason: "not valid JSON (\(error.localizedDescription))")
        }
        try validate(file: file)
    }

    /// Side of the vision transformer's stored token grid (`image_size / patch_size`).
    public var storedGridSide: Int { vision.imageSize / vision.patchSize }

    /// Side of the logits for a token grid of side `grid`: `grid · patch` (plain head) or
    /// `grid · (patch / 4)²` (refined head: two transposed convs of stride `patch / 4`).
    public func logitsSide(grid: Int) -> Int {
        useComplexTransposedConvolution ? grid * (vision.patchSize / 4) * (vision.patchSize / 4)
                                        : grid * vision.patchSize
    }

    /// Deepest vision layer the decoder needs (the encoder runs only that far for segmentation).
    public var deepestExtractLayer: Int { extractLayers.max() ?? 0 }

    /// Checks every value the maths depends on; `file` names the source in the error.
    public func validate(file: String = "config.json") throws {
        func fail(_ reason: String) -> CLIPSegError { .invalidConfiguration(file: file, reason: reason) }
        try text.validate(fail: fail)
        try vision.validate(fail: fail)
        guard projectionDim > 0 else { throw fail("projection_dim must be positive, got \(projectionDim)") }
        guard !extractLayers.isEmpty else { throw fail("extract_layers is empty") }
        for layer in extractLayers where layer < 0 || layer >= vision.layerCount {
            throw fail("extract_layers entry \(layer) is outside the \(vision.layerCount) vision layers")
        }
        guard reduceDim > 0 else { throw fail("reduce_dim must be positive, got \(reduceDim)") }
        guard decoderAttentionHeadCount > 0, reduceDim % decoderAttentionHeadCount == 0 else {
            throw fail("reduce_dim \(reduceDim) is not a multiple of decoder_num_attention_heads \(decoderAttentionHeadCount)")
        }
        guard decoderIntermediateSize > 0 else { throw fail("decoder_intermediate_size must be positive") }
        if useComplexTransposedConvolution {
            guard vision.patchSize >= 4 else {
                throw fail("use_complex_transposed_convolution needs patch_size >= 4, got \(vision.patchSize)")
            }
            guard reduceDim >= 2 else { throw fail("use_complex_transposed_convolution needs reduce_dim >= 2") }
        }
    }
}

extension DecodingError {
    /// "field a.b: reason" on one line.
    var oneLineDescription: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "top level" : "field '\(keys.joined(separator: "."))'"
        }
        switch self {
        case .typeMismatch(let type, let context): return "\(path(context)) is not a valid \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(type)"
        case .keyNotFound(let key, let context): return "\(path(context)) lacks '\(key.stringValue)'"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
