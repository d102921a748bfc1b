import VideoFrames

/// What travels between the model-side stages. Each carries the frame's `index` (its `RGBFrame.index`,
/// the key of the `FrameLedger`) and its capture time, never the pixels themselves: the pixels travel
/// to the compose stage on the lossless keep-frames queue.

/// A frame on its way to the vision stage (preprocess → vision stage).
public struct PreparedFrame<Input: Sendable>: Sendable {
    /// The model input, or the frame itself when preprocessing is left to the vision stage.
    public enum Payload: Sendable {
        /// Scaled and normalised by the preprocess stage (files: overlaps with the encoder).
        case prepared(Input)
        /// To be scaled and normalised by the vision stage once it takes the frame (live sources: no CPU
        /// is spent on frames that the latest-wins queue drops).
        case deferred(RGBFrame)
    }

    public var index: Int
    public var capturedAt: Double
    public var payload: Payload

    public init(index: Int, capturedAt: Double, payload: Payload) {
        self.index = index
        self.capturedAt = capturedAt
        self.payload = payload
    }
}

/// A frame's image features (vision → mask decoder stage).
public struct EncodedFrame<Features: Sendable>: Sendable {
    public var index: Int
    public var capturedAt: Double
    public var features: Features
    /// What the encoding cost with token reuse (`SegmentationBackend.tokensRecomputed`); nil without.
    public var tokensRecomputed: Double?

    public init(index: Int, capturedAt: Double, features: Features, tokensRecomputed: Double? = nil) {
        self.index = index
        self.capturedAt = capturedAt
        self.features = features
        self.tokensRecomputed = tokensRecomputed
    }
}

/// A frame's logits with the prompts they were decoded for (mask decoder stage → ledger → compose stage).
public struct MaskDecoderOutput: Sendable {
    public var index: Int
    public var logits: PromptLogits
    /// Labels of the positive prompts, in plane order (text prompts, then image prompts).
    public var positiveNames: [String]
    /// Negative planes follow the positive ones in `logits`.
    public var negativeCount: Int
    /// `PromptBook.revision` when the mask decoder ran (a change restarts mask smoothing).
    public var promptRevision: Int
    /// The frame's encoding cost with token reuse, carried to its statistics line; nil without reuse.
    public var tokensRecomputed: Double?

    public init(index: Int, logits: PromptLogits, positiveNames: [String], negativeCount: Int, promptRevision: Int,
                tokensRecomputed: Double? = nil) {
        self.tokensRecomputed = tokensRecomputed
        self.index = index
        self.logits = logits
        self.positiveNames = positiveNames
        self.negativeCount = negativeCount
        self.promptRevision = promptRevision
    }

    public var positiveCount: Int { positiveNames.count }
}
