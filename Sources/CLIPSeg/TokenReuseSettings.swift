/// How the vision encoder decides, frame by frame, which tokens to recompute (`TokenReuse`).
///
/// Before each encoder layer, every patch token's input row is compared with the row that layer last
/// computed it from: the relative change `‖x − x_ref‖ / ‖x_ref‖`. A token whose change is at most
/// `threshold` keeps that layer's cached output (moved by the change of its input, the residual path);
/// the others, and always the class token, go through the layer again. Values are plain numbers so a
/// caller can take them from anywhere; `validate()` names the one at fault.
public struct TokenReuseSettings: Sendable, Equatable {
    /// Largest relative change of a token's layer input that still reuses its cached output. 0 recomputes
    /// every token of every frame (the output then equals a full pass). The default sits above what camera
    /// sensor noise and H.264 re-quantisation move a still scene's tokens (`Benchmarks/reuse_benchmark.py`).
    public var threshold: Float
    /// A full pass every this many frames, so that what the gate let drift is reset; 0: only on a scene cut.
    public var refreshInterval: Int
    /// When more than this fraction of the patch tokens change at the first layer (a cut, a camera pan, a
    /// light switched on) the frame gets a full pass: recomputing most rows one by one costs more than all.
    public var sceneCutFraction: Float
    /// At most this fraction of the patch tokens is recomputed in one layer (the most changed first); the
    /// rest wait for a later frame. Bounds a frame's cost while something big moves.
    public var maximumFraction: Float

    public static let standard = TokenReuseSettings(threshold: 0.05, refreshInterval: 60, sceneCutFraction: 0.6,
                                                    maximumFraction: 0.45)

    public init(threshold: Float, refreshInterval: Int, sceneCutFraction: Float, maximumFraction: Float) {
        self.threshold = threshold
        self.refreshInterval = refreshInterval
        self.sceneCutFraction = sceneCutFraction
        self.maximumFraction = maximumFraction
    }

    /// Throws `CLIPSegError.invalidInput` naming the first value out of range.
    public func validate() throws {
        guard threshold.isFinite, threshold >= 0 else {
            throw CLIPSegError.invalidInput("token reuse threshold must be a number ≥ 0, got \(threshold)")
        }
        guard refreshInterval >= 0 else {
            throw CLIPSegError.invalidInput("token reuse refresh interval must be ≥ 0 frames, got \(refreshInterval)")
        }
        guard sceneCutFraction > 0, sceneCutFraction <= 1 else {
            throw CLIPSegError.invalidInput("token reuse scene-cut fraction must be in (0, 1], got \(sceneCutFraction)")
        }
        guard maximumFraction > 0, maximumFraction <= 1 else {
            throw CLIPSegError.invalidInput("token reuse maximum fraction must be in (0, 1], got \(maximumFraction)")
        }
    }
}

/// What token reuse did for one frame.
public struct TokenReuseReport: Sendable, Equatable {
    /// Why a frame was computed in full, or not.
    public enum Kind: String, Sendable, Equatable {
        /// No cached state yet (first frame, or the token grid changed).
        case first
        /// `refreshInterval` frames since the last full pass.
        case refresh
        /// More than `sceneCutFraction` of the tokens changed.
        case sceneCut = "scene-cut"
        /// `threshold` is 0: every token every frame.
        case thresholdZero = "threshold-zero"
        /// Only the changed tokens were recomputed.
        case partial
        /// The pixels equal the previous frame's: the cached activations, no layer run.
        case identical
    }

    public var kind: Kind
    /// Token-layer updates done over those a full pass does (`Σ recomputed rows / (layers · tokens)`), 0–1.
    public var tokensRecomputed: Double

    public init(kind: Kind, tokensRecomputed: Double) {
        self.kind = kind
        self.tokensRecomputed = tokensRecomputed
    }
}
