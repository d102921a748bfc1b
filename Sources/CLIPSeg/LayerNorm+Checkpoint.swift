import TensorKit

extension LayerNorm {
    /// The layer norm `<prefix>.weight` / `<prefix>.bias` from the checkpoint.
    init(tensors: CheckpointTensors, prefix: String, epsilon: Double) throws {
        self.init(gamma: try tensors.take("\(prefix).weight"), beta: try tensors.take("\(prefix).bias"),
                  epsilon: Float(epsilon))
    }
}
