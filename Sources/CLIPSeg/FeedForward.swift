import TensorKit

/// The transformer MLP (`CLIPSegMLP`): `fc2(activation(fc1(x)))`.
struct FeedForward: Sendable {
    let expand: DenseLayer
    let contract: DenseLayer
    let activation: Activation

    init(tensors: CheckpointTensors, prefix: String, hidden: Int, intermediate: Int, activation: Activation) throws {
        expand = DenseLayer(pytorchWeight: try tensors.take("\(prefix).fc1.weight"),
                            bias: try tensors.take("\(prefix).fc1.bias"), inputSize: hidden, outputSize: intermediate)
        contract = DenseLayer(pytorchWeight: try tensors.take("\(prefix).fc2.weight"),
                              bias: try tensors.take("\(prefix).fc2.bias"), inputSize: intermediate, outputSize: hidden)
        self.activation = activation
    }

    /// ADDS `fc2(act(fc1(input)))` for `rows` rows to `residual`.
    func apply(_ input: UnsafePointer<Float>, rows: Int, addingInto residual: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) {
        let hidden = workspace.intermediate.reserve(rows * expand.outputSize)
        expand.apply(input, rows: rows, into: hidden, activation: activation, workspace: workspace)
        contract.apply(hidden, rows: rows, into: residual, accumulate: true, workspace: workspace)
    }
}
