import TensorKit

/// The one way every command (and the `--control` path) turns prompts into the conditional embeddings the
/// mask decoder takes: text prompts are tokenized once — the same pass says which were cut at the token
/// limit, so a caller can warn before the prompt is used — and embedded by the text encoder; image prompts
/// go through the vision tower. Results are `[prompts, projection_dim]` tensors (text rows in the order
/// given), kept by the caller for the whole run.
public struct PromptEncoder: Sendable {
    public let model: CLIPSegModel

    public init(model: CLIPSegModel) { self.model = model }

    /// Floats per conditional embedding (`projection_dim`, 512 for rd64-refined).
    public var embeddingSize: Int { model.configuration.projectionDim }

    /// The tokenizer's limit in ids, start and end tokens included (77 for CLIP); nil without a tokenizer.
    public var tokenLimit: Int? { model.tokenizer?.maxLength }

    /// Text prompts after tokenization.
    public struct TokenizedTexts: Sendable, Equatable {
        /// The prompts, in order.
        public let prompts: [String]
        /// Each prompt's ids, start and end tokens included, unpadded.
        public let tokenIDs: [[Int32]]
        /// The prompts longer than `tokenLimit`: the model reads only their first tokens.
        public let truncated: [String]
    }

    /// Tokenizes `prompts` once. Throws `CLIPSegError.missingFile` when the folder has no tokenizer.
    public func tokenize(_ prompts: [String]) throws -> TokenizedTexts {
        guard let tokenizer = model.tokenizer else {
            _ = try model.tokenize("")  // throws the error naming the missing tokenizer file
            return TokenizedTexts(prompts: [], tokenIDs: [], truncated: [])
        }
        var ids: [[Int32]] = []
        var truncated: [String] = []
        for prompt in prompts {
            let encoded = tokenizer.encodeNotingTruncation(prompt)
            ids.append(encoded.ids)
            if encoded.truncated { truncated.append(prompt) }
        }
        return TokenizedTexts(prompts: prompts, tokenIDs: ids, truncated: truncated)
    }

    /// Conditional embeddings `[prompts, projection_dim]` of tokenized text prompts (`get_text_features`);
    /// `[0, projection_dim]` for none.
    public func embed(_ texts: TokenizedTexts, workspace: InferenceWorkspace) throws -> Tensor {
        guard !texts.tokenIDs.isEmpty else { return Tensor(shape: [0, embeddingSize]) }
        return try model.embed(tokenIDs: texts.tokenIDs, workspace: workspace)
    }

    /// The conditional embedding `[1, projection_dim]` of an image prompt, RGB24 bytes `height × width × 3`.
    public func embed(imageRGB rgb: [UInt8], width: Int, height: Int, workspace: InferenceWorkspace) throws -> Tensor {
        try model.embed(imageRGB: rgb, width: width, height: height, workspace: workspace)
    }

    /// Rows of `[n, d]` tensors stacked in order into one `[Σn, d]` tensor.
    public func stack(_ parts: [Tensor]) -> Tensor {
        var rows: [Float] = []
        rows.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { rows += part.data }
        return Tensor(shape: [rows.count / max(embeddingSize, 1), embeddingSize], data: rows)
    }
}
