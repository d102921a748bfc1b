import TensorKit

extension DenseLayer {
    /// `apply` split over the workspace's threads, each piece's bias, activation or residual add
    /// applied by the thread that computed it, while still in cache.
    ///
    /// With packed weight panels the pieces are two panels wide (96 columns), and narrow layers (the
    /// decoder's 64-wide ones) are also cut into row blocks so that every thread gets work; pieces are
    /// handed out dynamically. The panel kernel computes each output value the same way whatever the
    /// piece, so results do not depend on the thread count, and a piece repacks nothing, so a thread
    /// the scheduler pre-empts (a decoder or encoder on the same cores) leaves its share to the other.
    /// With the BLAS layout each piece packs the whole input again, so there is one column piece per thread.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               activation: Activation = .identity, accumulate: Bool = false, workspace: InferenceWorkspace) {
        let threads = workspace.threads
        guard threads > 1 else {
            apply(input, rows: rows, into: output, activation: activation, accumulate: accumulate)
            return
        }
        guard weights.layout == .panels else {
            ParallelLoop.run(chunks: threads, threads: threads) { chunk in
                apply(input, rows: rows, into: output, columns: ParallelLoop.piece(chunk, of: threads, 0..<outputSize, granule: 16),
                      activation: activation, accumulate: accumulate)
            }
            return
        }
        let width = 2 * columnGranule
        let columnPieces = (outputSize + width - 1) / width
        // Row blocks of whole 8-row tiles, enough for two pieces per thread in all.
        let rowPieces = min((2 * threads + columnPieces - 1) / columnPieces, max(1, rows / 8))
        ParallelLoop.run(chunks: columnPieces * rowPieces, threads: threads) { chunk in
            let columns = (chunk % columnPieces * width)..<min((chunk % columnPieces + 1) * width, outputSize)
            let block = ParallelLoop.piece(chunk / columnPieces, of: rowPieces, 0..<rows, granule: 8)
            apply(input + block.lowerBound * inputSize, rows: block.count, into: output + block.lowerBound * outputSize,
                  columns: columns, activation: activation, accumulate: accumulate)
        }
    }
}
