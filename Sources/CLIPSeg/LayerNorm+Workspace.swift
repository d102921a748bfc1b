import TensorKit

extension LayerNorm {
    /// `apply` in place or into `output`, rows split over the workspace's threads.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) {
        forEachRowPart(rows: rows, workspace: workspace) { part in
            apply(input + part.lowerBound * size, rows: part.count, into: output + part.lowerBound * size)
        }
    }

    /// TensorKit's `apply(_:rows:intoBF16:)` (float32 rows in, bf16 rows out, both dense), rows split over the workspace's threads.
    func apply(_ input: UnsafePointer<Float>, rows: Int, intoBF16 output: UnsafeMutablePointer<UInt16>,
               workspace: InferenceWorkspace) {
        forEachRowPart(rows: rows, workspace: workspace) { part in
            apply(input + part.lowerBound * size, rows: part.count, intoBF16: output + part.lowerBound * size)
        }
    }

    /// `body` for one near-equal part of `0..<rows` per workspace thread, run by `ParallelLoop`.
    private func forEachRowPart(rows: Int, workspace: InferenceWorkspace, _ body: (Range<Int>) -> Void) {
        let chunks = workspace.threads
        ParallelLoop.run(chunks: chunks, threads: workspace.threads) { chunk in
            body(ParallelLoop.piece(chunk, of: chunks, 0..<rows))
        }
    }
}
