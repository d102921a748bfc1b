import TensorKit

extension DenseLayer {
    /// `apply` with the output columns split over the workspace's threads (16-column pieces; each
    /// piece's bias and activation applied by the thread that computed it, while still in cache).
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               activation: Activation = .identity, accumulate: Bool = false, workspace: InferenceWorkspace) {
        let chunks = workspace.threads
        ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
            apply(input, rows: rows, into: output, columns: ParallelLoop.piece(chunk, of: chunks, 0..<outputSize, granule: 16),
                  activation: activation, accumulate: accumulate)
        }
    }
}
