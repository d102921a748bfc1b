import TensorKit

/// The CLIP text tower of a CLIPSeg configuration (`text_config`), with transformers' defaults
/// (`CLIPSegTextConfig`) for absent keys.
public struct TextConfiguration: Codable, Sendable, Equatable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var layerCount = 12
    public var attentionHeadCount = 8
    /// Longest token sequence (`max_position_embeddings`).
    public var maxPositionEmbeddings = 77
    /// `hidden_act` of the MLPs (`quick_gelu`, `gelu`, `relu`, `gelu_new`, …).
    public var hiddenActivation = "quick_gelu"
    public var layerNormEpsilon = 1e-5
    public var padTokenID: Int? = 1
    public var bosTokenID: Int? = 49406
    /// Decides pooling: `2` (legacy configs) pools at the argmax of the ids, anything else at the
    /// first occurrence of this id.
    public var eosTokenID: Int? = 49407

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers", attentionHeadCount = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings", hiddenActivation = "hidden_act"
        case layerNormEpsilon = "layer_norm_eps", padTokenID = "pad_token_id", bosTokenID = "bos_token_id"
        case eosTokenID = "eos_token_id"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TextConfiguration()
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? d.layerCount
        attentionHeadCount = try c.decodeIfPresent(Int.self, forKey: .attentionHeadCount) ?? d.attentionHeadCount
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? d.hiddenActivation
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? d.layerNormEpsilon
        padTokenID = c.contains(.padTokenID) ? try c.decodeIfPresent(Int.self, forKey: .padTokenID) : d.padTokenID
        bosTokenID = c.contains(.bosTokenID) ? try c.decodeIfPresent(Int.self, forKey: .bosTokenID) : d.bosTokenID
        if c.contains(.eosTokenID) {
            if let list = try? c.decode([Int].self, forKey: .eosTokenID) {
                guard list.count <= 1 else {
                    throw DecodingError.dataCorruptedError(forKey: .eosTokenID, in: c,
                        debugDescription: "a list of several end-of-text ids is not supported")
                }
                eosTokenID = list.first
            } else {
                eosTokenID = try c.decodeIfPresent(Int.self, forKey: .eosTokenID)
            }
        }
    }

    /// The MLP activation.
    public var activation: Activation { Activation(huggingFaceName: hiddenActivation) ?? .identity }

    /// Size of one attention head.
    public var headDim: Int { hiddenSize / attentionHeadCount }

    func validate(fail: (String) -> CLIPSegError) throws {
        for (name, value) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize),
                              ("intermediate_size", intermediateSize), ("num_hidden_layers", layerCount),
                              ("num_attention_heads", attentionHeadCount),
                              ("max_position_embeddings", maxPositionEmbeddings)] where value <= 0 {
            throw fail("text_config.\(name) must be positive, got \(value)")
        }
        guard hiddenSize % attentionHeadCount == 0 else {
            throw fail("text_config.hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(attentionHeadCount)")
        }
        guard Activation(huggingFaceName: hiddenActivation) != nil else {
            throw fail("text_config.hidden_act '\(hiddenActivation)' is not supported")
        }
        guard layerNormEpsilon >= 0 else { throw fail("text_config.layer_norm_eps must not be negative") }
    }
}
