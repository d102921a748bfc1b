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

    /// ADDS `fc2(act(fc1(input)))` for `rows` rows to `residual`. With bf16 layers the hidden layer
    /// `[rows, intermediate]` is handed over in bf16; otherwise in float32.
    func apply(_ input: UnsafePointer<Float>, rows: Int, addingInto residual: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) throws {
        if contract.readsBF16 {
            try applyBF16Hidden(.float32(input), rows: rows, addingInto: residual, workspace: workspace)
            return
        }
        let hidden = workspace.intermediate.reserve(rows * expand.outputSize)
        try expand.apply(input, rows: rows, into: hidden, activation: activation, workspace: workspace)
        try contract.apply(hidden, rows: rows, into: residual, accumulate: true, workspace: workspace)
    }

    /// Whether `apply(bf16:…)` may be used: both layers bf16.
    var readsBF16Input: Bool { expand.readsBF16 && contract.readsBF16 }

    /// `apply` from bf16 input rows `[rows, hidden]`; only where `readsBF16Input`.
    func apply(bf16 input: UnsafePointer<UInt16>, rows: Int, addingInto residual: UnsafeMutablePointer<Float>,
               workspace: InferenceWorkspace) throws {
        precondition(readsBF16Input, "this MLP reads float32")
        try applyBF16Hidden(.bf16(input), rows: rows, addingInto: residual, workspace: workspace)
    }

    /// bf16 layers: fc1 writes bf16 (activation applied before rounding), fc2 reads it as it is.
    private func applyBF16Hidden(_ input: LinearInput, rows: Int, addingInto residual: UnsafeMutablePointer<Float>,
                                 workspace: InferenceWorkspace) throws {
        let hidden = workspace.intermediateBF16.reserve(rows * expand.outputSize)
        try expand.apply(input, rows: rows, into: .bf16(hidden), activation: activation, workspace: workspace)
        try contract.apply(.bf16(hidden), rows: rows, into: .float32(residual), accumulate: true, workspace: workspace)
    }
}
