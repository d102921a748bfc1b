/// The one table that maps the Swift model's tensors to checkpoint keys of Hugging Face's
/// `CLIPSegForImageSegmentation` (as `save_pretrained` names them), with the shape each must have.
///
/// Patterns carry a `%d` layer slot (whisper.cpp style) and are expanded for the configuration's
/// layer counts. Swift names read like property paths: `vision.layers[3].attention.query.weight`.
enum CheckpointKeys {
    /// One expected tensor: the Swift-side name, the checkpoint key and the required shape.
    struct Slot: Equatable {
        let name: String
        let key: String
        let shape: [Int]
    }

    /// Keys that may be present and are ignored: persistent buffers older checkpoints carry
    /// (`position_ids`, I64) and CLIP's contrastive temperature, which segmentation never uses.
    static let ignoredKeys: Set<String> = [
        "clip.text_model.embeddings.position_ids",
        "clip.vision_model.embeddings.position_ids",
        "clip.logit_scale",
    ]

    /// Every tensor the configuration needs, in a stable order.
    static func slots(for c: CLIPSegConfiguration) -> [Slot] {
        let t = c.text, v = c.vision, r = c.reduceDim, d = c.projectionDim, p = v.patchSize
        var slots: [Slot] = []
        func add(_ name: String, _ key: String, _ shape: [Int]) { slots.append(Slot(name: name, key: key, shape: shape)) }
        func addLayers(_ name: String, _ key: String, count: Int, hidden: Int, mlp: Int) {
            for i in 0..<count {
                let n = name.replacingOccurrences(of: "%d", with: "\(i)")
                let k = key.replacingOccurrences(of: "%d", with: "\(i)")
                for (part, keyPart) in [("query", "q_proj"), ("key", "k_proj"), ("value", "v_proj"), ("output", "out_proj")] {
                    add("\(n).attention.\(part).weight", "\(k).self_attn.\(keyPart).weight", [hidden, hidden])
                    add("\(n).attention.\(part).bias", "\(k).self_attn.\(keyPart).bias", [hidden])
                }
                for norm in ["layerNorm1": "layer_norm1", "layerNorm2": "layer_norm2"].sorted(by: { $0.key < $1.key }) {
                    add("\(n).\(norm.key).weight", "\(k).\(norm.value).weight", [hidden])
                    add("\(n).\(norm.key).bias", "\(k).\(norm.value).bias", [hidden])
                }
                add("\(n).mlp.fc1.weight", "\(k).mlp.fc1.weight", [mlp, hidden])
                add("\(n).mlp.fc1.bias", "\(k).mlp.fc1.bias", [mlp])
                add("\(n).mlp.fc2.weight", "\(k).mlp.fc2.weight", [hidden, mlp])
                add("\(n).mlp.fc2.bias", "\(k).mlp.fc2.bias", [hidden])
            }
        }

        // Text tower.
        add("text.tokenEmbedding", "clip.text_model.embeddings.token_embedding.weight", [t.vocabSize, t.hiddenSize])
        add("text.positionEmbedding", "clip.text_model.embeddings.position_embedding.weight",
            [t.maxPositionEmbeddings, t.hiddenSize])
        addLayers("text.layers[%d]", "clip.text_model.encoder.layers.%d", count: t.layerCount,
                  hidden: t.hiddenSize, mlp: t.intermediateSize)
        add("text.finalLayerNorm.weight", "clip.text_model.final_layer_norm.weight", [t.hiddenSize])
        add("text.finalLayerNorm.bias", "clip.text_model.final_layer_norm.bias", [t.hiddenSize])
        add("text.projection.weight", "clip.text_projection.weight", [d, t.hiddenSize])

        // Vision tower.
        add("vision.classEmbedding", "clip.vision_model.embeddings.class_embedding", [v.hiddenSize])
        add("vision.patchEmbedding.weight", "clip.vision_model.embeddings.patch_embedding.weight",
            [v.hiddenSize, v.channelCount, p, p])
        add("vision.positionEmbedding", "clip.vision_model.embeddings.position_embedding.weight",
            [v.positionCount, v.hiddenSize])
        add("vision.preLayerNorm.weight", "clip.vision_model.pre_layrnorm.weight", [v.hiddenSize])
        add("vision.preLayerNorm.bias", "clip.vision_model.pre_layrnorm.bias", [v.hiddenSize])
        addLayers("vision.layers[%d]", "clip.vision_model.encoder.layers.%d", count: v.layerCount,
                  hidden: v.hiddenSize, mlp: v.intermediateSize)
        add("vision.postLayerNorm.weight", "clip.vision_model.post_layernorm.weight", [v.hiddenSize])
        add("vision.postLayerNorm.bias", "clip.vision_model.post_layernorm.bias", [v.hiddenSize])
        add("vision.projection.weight", "clip.visual_projection.weight", [d, v.hiddenSize])

        // Decoder.
        add("decoder.filmMultiply.weight", "decoder.film_mul.weight", [r, d])
        add("decoder.filmMultiply.bias", "decoder.film_mul.bias", [r])
        add("decoder.filmAdd.weight", "decoder.film_add.weight", [r, d])
        add("decoder.filmAdd.bias", "decoder.film_add.bias", [r])
        for i in 0..<c.extractLayers.count {
            add("decoder.reduces[\(i)].weight", "decoder.reduces.\(i).weight", [r, v.hiddenSize])
            add("decoder.reduces[\(i)].bias", "decoder.reduces.\(i).bias", [r])
        }
        addLayers("decoder.layers[%d]", "decoder.layers.%d", count: c.extractLayers.count,
                  hidden: r, mlp: c.decoderIntermediateSize)
        if c.useComplexTransposedConvolution {
            let k = p / 4
            add("decoder.upsample.conv.weight", "decoder.transposed_convolution.0.weight", [r, r, 3, 3])
            add("decoder.upsample.conv.bias", "decoder.transposed_convolution.0.bias", [r])
            add("decoder.upsample.first.weight", "decoder.transposed_convolution.2.weight", [r, r / 2, k, k])
            add("decoder.upsample.first.bias", "decoder.transposed_convolution.2.bias", [r / 2])
            add("decoder.upsample.second.weight", "decoder.transposed_convolution.4.weight", [r / 2, 1, k, k])
            add("decoder.upsample.second.bias", "decoder.transposed_convolution.4.bias", [1])
        } else {
            add("decoder.upsample.weight", "decoder.transposed_convolution.weight", [r, 1, p, p])
            add("decoder.upsample.bias", "decoder.transposed_convolution.bias", [1])
        }
        return slots
    }
}
