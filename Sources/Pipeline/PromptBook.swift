/// The prompts of a run with their conditional embeddings, in the mask decoder's order: the text prompts
/// (`PromptSet` order, changeable with `--control`), then the image prompts, then the negative prompts.
///
/// Text embeddings are computed once per prompt and cached; a control command that adds prompts embeds
/// only the new ones (through the `embed` closure, which the mask decoder stage runs on its own thread
/// between frames). Image prompts and negatives are fixed for the run.
public struct PromptBook: Sendable {
    /// A prompt given as a picture: its label (the file name as given) and its embedding.
    public struct ImagePrompt: Sendable {
        public var name: String
        public var embedding: [Float]
        public init(name: String, embedding: [Float]) {
            self.name = name
            self.embedding = embedding
        }
    }

    /// Turns text prompts into embedding rows (`SegmentationBackend.embed(texts:scratch:)`).
    public typealias Embedder = ([String]) throws -> TextEmbeddings

    public private(set) var texts: PromptSet
    public let images: [ImagePrompt]
    public let negatives: [String]
    public let embeddingSize: Int
    /// All embeddings stacked: texts, images, negatives. Rebuilt only when the prompts change; each frame
    /// hands these rows to the mask decoder as they are.
    public private(set) var conditionals: ConditionalEmbeddings
    /// The texts and negatives of the start that the model reads only in part (longer than its token
    /// limit), for a warning before the run starts.
    public let truncatedAtStart: [String]

    private var textEmbeddings: [String: [Float]]
    private let negativeEmbeddings: [[Float]]

    /// Embeds `texts` and `negatives`. Throws a one-line `ControlCommandError` for an invalid prompt list
    /// (empty or duplicate prompts; no positive prompt at all) and the embedder's error otherwise.
    public init(texts: [String], images: [ImagePrompt], negatives: [String], embeddingSize: Int,
                embed: Embedder) throws {
        self.texts = try PromptSet(texts, allowsEmpty: !images.isEmpty)
        self.images = images
        self.negatives = negatives
        self.embeddingSize = embeddingSize
        let embedded = try embed(self.texts.prompts + negatives)
        let all = embedded.rows
        truncatedAtStart = embedded.truncated
        guard all.count == self.texts.prompts.count + negatives.count,
              all.allSatisfy({ $0.count == embeddingSize }),
              images.allSatisfy({ $0.embedding.count == embeddingSize }) else {
            throw ControlCommandError("prompt embeddings do not have \(embeddingSize) values each")
        }
        textEmbeddings = Dictionary(zip(self.texts.prompts, all.prefix(self.texts.prompts.count)),
                                    uniquingKeysWith: { first, _ in first })
        negativeEmbeddings = Array(all.suffix(negatives.count))
        conditionals = ConditionalEmbeddings(rows: [], count: 0, size: embeddingSize)
        rebuild()
    }

    /// Labels of the positive prompts (texts, then image prompt names), in the mask decoder's order.
    public var positiveNames: [String] { texts.prompts + images.map(\.name) }
    public var positiveCount: Int { texts.prompts.count + images.count }
    public var negativeCount: Int { negatives.count }
    /// Changes whenever the text prompts change (restarts mask smoothing).
    public var revision: Int { texts.revision }

    /// Applies a control command. Prompt changes embed the new prompts with `embed`; when that fails the
    /// change is refused and nothing changes. `threshold`, `smooth` and `quit` are passed through.
    public mutating func apply(_ command: ControlCommand, embed: Embedder) -> PromptSet.Change {
        var candidate = texts
        let change = candidate.apply(command)
        switch change {
        case .promptsChanged: break
        case .effectChanged(_, _, let added) where added: break  // a new prompt to embed
        default: return change
        }
        let missing = candidate.prompts.filter { textEmbeddings[$0] == nil }
        var truncated: [String] = []
        do {
            let embedded = try embed(missing)
            let rows = embedded.rows
            truncated = embedded.truncated
            guard rows.count == missing.count, rows.allSatisfy({ $0.count == embeddingSize }) else {
                return .refused("prompt embeddings do not have \(embeddingSize) values each")
            }
            for (prompt, row) in zip(missing, rows) { textEmbeddings[prompt] = row }
        } catch {
            return .refused("cannot embed \(missing.map { "'\($0)'" }.joined(separator: ", ")): \(error)")
        }
        texts = candidate
        let current = Set(texts.prompts)
        textEmbeddings = textEmbeddings.filter { current.contains($0.key) }
        rebuild()
        guard case .promptsChanged(let added, let removed, _) = change else { return change }
        return .promptsChanged(added: added, removed: removed, truncated: truncated)
    }

    private mutating func rebuild() {
        var rows: [Float] = []
        rows.reserveCapacity((positiveCount + negativeCount) * embeddingSize)
        for prompt in texts.prompts { rows += textEmbeddings[prompt] ?? [] }
        for image in images { rows += image.embedding }
        for negative in negativeEmbeddings { rows += negative }
        conditionals = ConditionalEmbeddings(rows: rows, count: positiveCount + negativeCount, size: embeddingSize)
    }
}
