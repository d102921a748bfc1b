import TensorKit

extension VisionEncoder {
    /// `run` for the next frame of a stream, recomputing only the tokens `reuse`'s gate lets through
    /// (`EncoderLayer.apply(_:tokens:active:cache:workspace:)`): the activations of the layers in
    /// `capture` (`[tokens, hidden]` each) and what the frame cost.
    ///
    /// A frame whose pixel values equal the previous one's returns the cached activations, no layer run.
    /// The first frame, a new grid size, a due refresh, a scene cut (more than `sceneCutFraction` of the
    /// tokens changed at layer 0) and threshold 0 run every token of every layer.
    func run(_ pixelValues: Tensor, through lastLayer: Int, capture: [Int], reuse: TokenReuse,
             workspace: InferenceWorkspace) throws -> (features: VisionFeatures, report: TokenReuseReport) {
        if let cached = reuse.featuresIfUnchanged(pixelValues) {
            reuse.noteIdentical()
            return (cached, reuse.lastReport!)
        }
        let (gh, gw, _, _) = try grid(of: pixelValues)
        let hidden = configuration.hiddenSize, tokens = 1 + gh * gw, count = tokens * hidden
        var fullPass = reuse.prepare(layerCount: lastLayer + 1, gridHeight: gh, gridWidth: gw, hidden: hidden)
        let x = try embedTokens(pixelValues, workspace: workspace)
        let everyRow = Array(0..<tokens)
        let settings = reuse.settings
        let limit = max(1, Int((settings.maximumFraction * Float(tokens - 1)).rounded(.down)))
        var recomputed = 0
        var states: [Int: Tensor] = [:]
        for index in 0...lastLayer {
            let cache = reuse.layers[index]
            var active = everyRow
            if fullPass == nil {
                let gate = cache.changedTokens(x, threshold: settings.threshold, limit: limit)
                if index == 0 && Float(gate.changedCount) > settings.sceneCutFraction * Float(tokens - 1) {
                    fullPass = .sceneCut
                } else {
                    active = gate.rows
                }
            }
            try layers[index].apply(x, tokens: tokens, active: active, cache: cache, workspace: workspace)
            recomputed += active.count
            if capture.contains(index) {
                states[index] = Tensor(shape: [tokens, hidden], data: Array(UnsafeBufferPointer(start: x, count: count)))
            }
        }
        let features = VisionFeatures(activations: capture.map { states[$0]! }, gridHeight: gh, gridWidth: gw)
        let report = TokenReuseReport(kind: fullPass ?? .partial,
                                      tokensRecomputed: Double(recomputed) / Double((lastLayer + 1) * tokens))
        reuse.finish(pixelValues, features: features, report: report)
        return (features, report)
    }
}
