/// One linear layer shape of the CLIPSeg vision encoder (ViT-B/16): `[rows, in] × [in, out]`.
struct LayerShape {
    let name: String
    let rows: Int
    let inputSize: Int
    let outputSize: Int
    /// How many times one encoder layer runs this shape.
    let perLayer: Int

    var flops: Double { 2 * Double(rows) * Double(inputSize) * Double(outputSize) }

    /// The encoder layer's GEMMs: fused QKV (or q/k/v/out separately: 4 × 768→768), fc1, fc2.
    static func vitBase(rows: Int) -> [LayerShape] {
        [LayerShape(name: "qkv fused 768→2304", rows: rows, inputSize: 768, outputSize: 2304, perLayer: 1),
         LayerShape(name: "out_proj 768→768", rows: rows, inputSize: 768, outputSize: 768, perLayer: 1),
         LayerShape(name: "fc1 768→3072", rows: rows, inputSize: 768, outputSize: 3072, perLayer: 1),
         LayerShape(name: "fc2 3072→768", rows: rows, inputSize: 3072, outputSize: 768, perLayer: 1)]
    }
}
