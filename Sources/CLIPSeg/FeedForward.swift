import ReducedPrecision
import TensorKit

/// The transformer MLP (`CLIPSegMLP`): `fc2(activation(fc1(x)))`.
struct FeedForward: Sendable {
    let expand: LinearProjection
    let contract: LinearProjection
    let activation: Activation

    init(tensors: CheckpointTensors, prefix: String, hidden: Int, intermediate: Int, activation: Activation) throws {
        expand = .float32(DenseLayer(pytorchWeight: try tensors.take("\(prefix).fc1.weight"),
                                     bias: try tensors.take("\(prefix).fc1.bias"), inputSize: hidden, outputSize: intermediate))
        contract = .float32(DenseLayer(pytorchWeight: try tensors.take("\(prefix).fc2.weight"),
                                       bias: try tensors.take("\(prefix).fc2.bias"), inputSize: intermediate, outputSize: hidden))
        self.activation = activation
    }

    private init(expand: LinearProjection, contract: LinearProjection, activation: Activation) {
        self.expand = expand
        self.contract = contract
        self.activation = activation
    }

    /// The same MLP with both layers in `format`.
    func converted(to format: ReducedPrecisionFormat, typicalRows: Int) throws -> FeedForward {
        FeedForward(expand: try expand.converted(to: format, typicalRows: typicalRows),
                    contract: try contract.converted(to: format, typicalRows: typicalRows), activation: activation)
    }

    /// ADDS `fc2(act(fc1(input)))` for `rows` rows to `residual`.
    func apply(_ input: UnsafePointer<Float>, rows: Int, addingInto residual: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) throws {
        let hidden = workspace.intermediate.reserve(rows * expand.outputSize)
        try expand.apply(input, rows: rows, into: hidden, activation: activation, workspace: workspace)
        try contract.apply(hidden, rows: rows, into: residual, accumulate: true, workspace: workspace)
    }
}
