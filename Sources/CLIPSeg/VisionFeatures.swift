import TensorKit

/// What the decoder needs from one query image: the vision encoder's residual stream after each
/// layer in `extract_layers` (in that order), each `[tokens, hidden]` with the class token first
/// and then the `gridHeight × gridWidth` patch tokens row-major.
public struct VisionFeatures: Sendable, Equatable {
    /// One `[1 + gridHeight · gridWidth, visionHidden]` tensor per entry of `extract_layers`.
    public var activations: [Tensor]
    public var gridHeight: Int
    public var gridWidth: Int

    public init(activations: [Tensor], gridHeight: Int, gridWidth: Int) {
        self.activations = activations
        self.gridHeight = gridHeight
        self.gridWidth = gridWidth
    }

    /// Tokens per activation (class token included).
    public var tokens: Int { 1 + gridHeight * gridWidth }
}
