import TensorKit

extension LayerNorm {
    /// `apply` in place or into `output`, rows split over the workspace's threads.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) {
        let chunks = workspace.threads
        ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
            let part = ParallelLoop.piece(chunk, of: chunks, 0..<rows)
            apply(input + part.lowerBound * size, rows: part.count, into: output + part.lowerBound * size)
        }
    }
}
