/// One encoder layer's cached state for token reuse, `tokens` rows `hidden` wide. Owns its memory
/// (`4 · tokens · hidden` floats); not thread-safe, like the `TokenReuse` that holds it.
final class TokenReuseLayerCache {
    let tokens: Int
    let hidden: Int
    /// Each token's layer input when it was last computed, `[tokens, hidden]`: what the gate compares with.
    let reference: UnsafeMutablePointer<Float>
    /// Each token's layer output computed from `reference`, `[tokens, hidden]`.
    let output: UnsafeMutablePointer<Float>
    /// Each token's key and value projections, `[tokens, 2 · hidden]` (`key | value`): what changed
    /// queries attend to.
    let keysValues: UnsafeMutablePointer<Float>

    init(tokens: Int, hidden: Int) {
        self.tokens = tokens
        self.hidden = hidden
        reference = .allocate(capacity: tokens * hidden)
        output = .allocate(capacity: tokens * hidden)
        keysValues = .allocate(capacity: tokens * 2 * hidden)
    }

    deinit {
        reference.deallocate()
        output.deallocate()
        keysValues.deallocate()
    }

    /// Bytes one layer's cache holds.
    static func byteCount(tokens: Int, hidden: Int) -> Int { 4 * tokens * hidden * MemoryLayout<Float>.size }

    /// The tokens to recompute for layer input `x` (`[tokens, hidden]`): the class token (0), then, in
    /// order, each patch token whose relative change `‖x − reference‖ / ‖reference‖` exceeds `threshold`;
    /// at most `limit` patch tokens, the most changed ones. `changedCount` counts every token over the
    /// threshold, also those the limit left out.
    func changedTokens(_ x: UnsafePointer<Float>, threshold: Float, limit: Int) -> (rows: [Int], changedCount: Int) {
        let squaredThreshold = threshold * threshold
        var changed: [(row: Int, change: Float)] = []
        for row in 1..<tokens {
            let now = x + row * hidden, before = reference + row * hidden
            var difference: Float = 0, norm: Float = 0
            for j in 0..<hidden {
                let d = now[j] - before[j]
                difference += d * d
                norm += before[j] * before[j]
            }
            let change = difference / max(norm, .leastNormalMagnitude)
            if change > squaredThreshold { changed.append((row, change)) }
        }
        let count = changed.count
        if count > limit {
            changed.sort { $0.change > $1.change }
            changed.removeLast(count - limit)
            changed.sort { $0.row < $1.row }
        }
        return ([0] + changed.map(\.row), count)
    }
}
