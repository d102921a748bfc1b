import ReducedPrecision
import TensorKit

/// One `torch.nn.Linear` of an encoder layer (`[rows, inputSize]` → `[rows, outputSize]`), either
/// in float32 (a TensorKit `DenseLayer`: the packed-panel AVX-512 GEMM, or OpenBLAS; split over the workspace's
/// threads) or in reduced precision (a `PackedLinearLayer`: oneDNN bf16 or int8 with float32 input,
/// output, bias and fused activation, on `workspace.threads` OpenMP threads).
///
/// Immutable and shareable between threads; the reduced form owns oneDNN's packed weights, and the
/// float32 weights it was made from are released once it exists.
enum LinearProjection: Sendable {
    case float32(DenseLayer)
    case reduced(PackedLinearLayer)

    /// Whether this is a float32 `DenseLayer`.
    var isFloat32: Bool {
        if case .float32 = self { return true }
        return false
    }

    var inputSize: Int {
        switch self {
        case .float32(let layer): layer.inputSize
        case .reduced(let layer): layer.inputSize
        }
    }

    var outputSize: Int {
        switch self {
        case .float32(let layer): layer.outputSize
        case .reduced(let layer): layer.outputSize
        }
    }

    /// `output = activation(input · Wᵀ + b)`, or with `accumulate` `output += …` (a residual add).
    /// Throws only when oneDNN cannot build or run the reduced-precision product.
    func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
               activation: Activation = .identity, accumulate: Bool = false, workspace: InferenceWorkspace) throws {
        switch self {
        case .float32(let layer):
            layer.apply(input, rows: rows, into: output, activation: activation, accumulate: accumulate, workspace: workspace)
        case .reduced(let layer):
            try layer.apply(input, rows: rows, into: output, activation: activation, accumulate: accumulate,
                            context: try workspace.reducedPrecisionContext())
        }
    }

    /// Whether this layer reads bf16 input (`apply(bf16:…)`): a bf16 `PackedLinearLayer`. int8 and
    /// float32 layers read float32.
    var readsBF16: Bool {
        if case .reduced(let layer) = self { return layer.format == .bf16 }
        return false
    }

    /// `apply` with bf16 input or output (`PackedLinearLayer.apply(_:rows:into:…)`); reduced-precision
    /// layers only, a bf16 input only where `readsBF16`.
    func apply(_ input: LinearInput, rows: Int, into output: LinearOutput, activation: Activation = .identity,
               accumulate: Bool = false, workspace: InferenceWorkspace) throws {
        guard case .reduced(let layer) = self else { preconditionFailure("a float32 layer reads and writes float32 only") }
        try layer.apply(input, rows: rows, into: output, activation: activation, accumulate: accumulate,
                        context: try workspace.reducedPrecisionContext())
    }

    /// This layer in `format` (a reduced layer is returned as it is). `typicalRows` is the row count
    /// oneDNN is asked to choose its weight layout for (the tokens of one image); `columnScales`
    /// (`[outputSize]`) multiply the output columns after the bias (see `PackedLinearLayer`).
    func converted(to format: ReducedPrecisionFormat, typicalRows: Int, columnScales: [Float]? = nil) throws
        -> LinearProjection {
        guard case .float32(let layer) = self else { return self }
        return .reduced(try PackedLinearLayer(layer, format: format, typicalRows: typicalRows, columnScales: columnScales))
    }
}
