import TensorKit

extension DenseLayer {
    /// `apply` with the output columns split over the workspace's threads, each piece's bias,
    /// activation or residual add applied by the thread that computed it, while still in cache.
    ///
    /// With packed weight panels the pieces are two panels wide (96 columns) and handed out
    /// dynamically: a piece repacks nothing, so many small pieces cost nothing and a thread the
    /// scheduler pre-empts (a decoder or encoder on the same cores) leaves its share to the other.
    /// With the BLAS layout each piece packs the whole input again, so there is one per thread.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               activation: Activation = .identity, accumulate: Bool = false, workspace: InferenceWorkspace) {
        guard workspace.threads > 1 else {
            apply(input, rows: rows, into: output, activation: activation, accumulate: accumulate)
            return
        }
        let packed = weights.layout == .panels
        let pieceWidth = packed ? 2 * columnGranule : 16
        let chunks = packed ? (outputSize + pieceWidth - 1) / pieceWidth : workspace.threads
        ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
            let columns = packed
                ? (chunk * pieceWidth)..<min((chunk + 1) * pieceWidth, outputSize)
                : ParallelLoop.piece(chunk, of: chunks, 0..<outputSize, granule: pieceWidth)
            apply(input, rows: rows, into: output, columns: columns, activation: activation, accumulate: accumulate)
        }
    }
}
