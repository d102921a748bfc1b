import TensorKit

/// Token reuse across the frames of one video (Eventful Transformers, Dutson et al., ICCV 2023): the
/// vision encoder's per-layer state from earlier frames, so that a frame recomputes only the tokens
/// whose input changed (`TokenReuseSettings`) and reuses the rest.
///
/// One `TokenReuse` belongs to one stream of frames and one thread: pass it to
/// `CLIPSegModel.visionFeatures(_:reuse:workspace:)` for each frame in order. It owns its cache, about
/// `4 · tokens · hidden` floats per layer up to the deepest extracted layer (≈ 60 MB for the full-size
/// model at 352², `byteCount`), allocated on the first frame and again whenever the token grid changes.
public final class TokenReuse {
    public let settings: TokenReuseSettings
    /// What the last frame did (nil before the first).
    public private(set) var lastReport: TokenReuseReport?

    var layers: [TokenReuseLayerCache] = []
    private var gridHeight = 0
    private var gridWidth = 0
    private var lastPixels: [Float] = []
    private var lastFeatures: VisionFeatures?
    private var framesSinceFullPass = 0

    /// Throws when a setting is out of range (`TokenReuseSettings.validate`).
    public init(settings: TokenReuseSettings = .standard) throws {
        try settings.validate()
        self.settings = settings
    }

    /// Forgets every cached token: the next frame gets a full pass (call it at a seek or a source change).
    public func reset() {
        layers = []
        lastFeatures = nil
        lastPixels = []
    }

    /// Bytes the cache takes for `layerCount` layers of `tokens × hidden`.
    public static func byteCount(layerCount: Int, tokens: Int, hidden: Int) -> Int {
        layerCount * TokenReuseLayerCache.byteCount(tokens: tokens, hidden: hidden)
    }

    /// The cached features when `pixelValues` equal the last frame's, else nil.
    func featuresIfUnchanged(_ pixelValues: Tensor) -> VisionFeatures? {
        guard let lastFeatures, pixelValues.data == lastPixels else { return nil }
        return lastFeatures
    }

    /// Makes the per-layer caches for a `gridHeight × gridWidth` grid when they are missing or of another
    /// size, and says whether this frame needs a full pass, and why.
    func prepare(layerCount: Int, gridHeight: Int, gridWidth: Int, hidden: Int) -> TokenReuseReport.Kind? {
        if layers.count != layerCount || gridHeight != self.gridHeight || gridWidth != self.gridWidth
            || layers.first?.hidden != hidden {
            let tokens = 1 + gridHeight * gridWidth
            layers = (0..<layerCount).map { _ in TokenReuseLayerCache(tokens: tokens, hidden: hidden) }
            self.gridHeight = gridHeight
            self.gridWidth = gridWidth
            lastFeatures = nil
            return .first
        }
        if settings.threshold == 0 { return .thresholdZero }
        if settings.refreshInterval > 0 && framesSinceFullPass + 1 >= settings.refreshInterval { return .refresh }
        return nil
    }

    /// Keeps this frame's pixels and features for the identical-frame check, and counts frames since
    /// the last full pass.
    func finish(_ pixelValues: Tensor, features: VisionFeatures, report: TokenReuseReport) {
        lastPixels = pixelValues.data
        lastFeatures = features
        framesSinceFullPass = report.kind == .partial ? framesSinceFullPass + 1 : 0
        lastReport = report
    }

    /// Notes a frame served from the cache.
    func noteIdentical() {
        framesSinceFullPass += 1
        lastReport = TokenReuseReport(kind: .identical, tokensRecomputed: 0)
    }
}
