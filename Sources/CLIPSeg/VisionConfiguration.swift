import TensorKit

/// The CLIP vision tower of a CLIPSeg configuration (`vision_config`), with transformers' defaults
/// (`CLIPSegVisionConfig`) for absent keys. Square images and patches only.
public struct VisionConfiguration: Codable, Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var layerCount = 12
    public var attentionHeadCount = 12
    /// Input channels (`num_channels`); must be 3 (RGB).
    public var channelCount = 3
    /// Side of the images the position embeddings were trained for (`image_size`).
    public var imageSize = 224
    /// Side of one patch (`patch_size`), also the patch embedding's kernel and stride.
    public var patchSize = 32
    public var hiddenActivation = "quick_gelu"
    public var layerNormEpsilon = 1e-5

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads", channelCount = "num_channels", imageSize = "image_size"
        case patchSize = "patch_size", hiddenActivation = "hidden_act", layerNormEpsilon = "layer_norm_eps"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VisionConfiguration()
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? d.layerCount
        attentionHeadCount = try c.decodeIfPresent(Int.self, forKey: .attentionHeadCount) ?? d.attentionHeadCount
        channelCount = try c.decodeIfPresent(Int.self, forKey: .channelCount) ?? d.channelCount
        imageSize = try Self.decodeSide(c, .imageSize) ?? d.imageSize
        patchSize = try Self.decodeSide(c, .patchSize) ?? d.patchSize
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? d.hiddenActivation
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? d.layerNormEpsilon
    }

    /// An `int` or a square `[n, n]` pair.
    private static func decodeSide(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let pair = try? c.decode([Int].self, forKey: key) {
            guard pair.count == 2, pair[0] == pair[1] else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c,
                    debugDescription: "only square sizes are supported, got \(pair)")
            }
            return pair[0]
        }
        return try c.decode(Int.self, forKey: key)
    }

    /// The MLP activation.
    public var activation: Activation { Activation(huggingFaceName: hiddenActivation) ?? .identity }

    /// Size of one attention head.
    public var headDim: Int { hiddenSize / attentionHeadCount }

    /// Number of stored position embeddings: one per patch of an `imageSize` image, plus the class token.
    public var positionCount: Int { (imageSize / patchSize) * (imageSize / patchSize) + 1 }

    func validate(fail: (String) -> CLIPSegError) throws {
        for (name, value) in [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                              ("num_hidden_layers", layerCount), ("num_attention_heads", attentionHeadCount),
                              ("image_size", imageSize), ("patch_size", patchSize)] where value <= 0 {
            throw fail("vision_config.\(name) must be positive, got \(value)")
        }
        guard hiddenSize % attentionHeadCount == 0 else {
            throw fail("vision_config.hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(attentionHeadCount)")
        }
        guard channelCount == 3 else { throw fail("vision_config.num_channels must be 3 (RGB), got \(channelCount)") }
        guard imageSize >= patchSize else {
            throw fail("vision_config.image_size \(imageSize) is smaller than patch_size \(patchSize)")
        }
        let (patches, overflow) = (imageSize / patchSize).multipliedReportingOverflow(by: imageSize / patchSize)
        guard !overflow, patches < Int.max else {
            throw fail("vision_config.image_size \(imageSize) holds too many \(patchSize)-pixel patches to count")
        }
        guard Activation(huggingFaceName: hiddenActivation) != nil else {
            throw fail("vision_config.hidden_act '\(hiddenActivation)' is not supported")
        }
        guard layerNormEpsilon >= 0 else { throw fail("vision_config.layer_norm_eps must not be negative") }
    }
}
