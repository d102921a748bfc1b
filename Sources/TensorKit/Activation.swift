import CVectorKernels
import Foundation

/// An element-wise activation function, named as Hugging Face's `hidden_act` names them.
public enum Activation: String, Sendable, CaseIterable {
    /// `x`.
    case identity
    /// `max(x, 0)`.
    case relu
    /// `x * sigmoid(1.702 x)` (CLIP's `quick_gelu`).
    case quickGELU = "quick_gelu"
    /// `0.5 x (1 + erf(x / √2))` (exact, PyTorch's `gelu` without approximation).
    case gelu
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (`gelu_new`, `gelu_pytorch_tanh`).
    case geluTanh = "gelu_pytorch_tanh"

    /// The activation for a Hugging Face `hidden_act` string, or nil when unsupported.
    public init?(huggingFaceName name: String) {
        switch name {
        case "linear", "identity": self = .identity
        case "relu": self = .relu
        case "quick_gelu": self = .quickGELU
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        default: return nil
        }
    }

    /// The activation of one value.
    @inlinable
    public func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0
        case .quickGELU: return x * (1 / (1 + expf(-1.702 * x)))
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752))
        case .geluTanh:
            return 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        }
    }

    /// Applies the activation in place to `count` values.
    @inlinable
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        applyAddingBias(nil, to: values, rows: 1, columns: count)
    }

    /// Adds `bias` (length `columns`) to every row of `values` (`[rows, columns]`, row stride
    /// `stride`) and applies the activation, in one pass over memory. `quickGELU` is computed as
    /// `x / (1 + e^(−1.702 x))` with `FastExponential`; these loops are simple enough to vectorise.
    @_optimize(speed)
    @inlinable
    public func applyAddingBias(_ bias: UnsafePointer<Float>?, to values: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int, stride: Int? = nil) {
        let stride = stride ?? columns
        if VectorKernels.isEnabled, let code = VectorKernels.code(of: self) {
            if self == .identity && bias == nil { return }
            clipseg_vk_bias_activation(values, bias, rows, columns, stride, code)
            return
        }
        portableApplyAddingBias(bias, to: values, rows: rows, columns: columns, stride: stride)
    }

    /// `applyAddingBias` in portable Swift (what runs with `KernelISA.portable`).
    @_optimize(speed)
    @inlinable
    public func portableApplyAddingBias(_ bias: UnsafePointer<Float>?, to values: UnsafeMutablePointer<Float>,
                                        rows: Int, columns: Int, stride: Int? = nil) {
        let stride = stride ?? columns
        switch self {
        case .identity:
            if bias != nil { Self.mapRows(bias, values, rows, columns, stride) { $0 } }
        case .relu:
            Self.mapRows(bias, values, rows, columns, stride) { $0 > 0 ? $0 : 0 }
        case .quickGELU:
            Self.mapRows(bias, values, rows, columns, stride) { $0 / (1 + FastExponential.exp($0 * -1.702)) }
        case .gelu, .geluTanh:
            Self.mapRows(bias, values, rows, columns, stride) { self($0) }
        }
    }

    /// `line[j] = transform(line[j] + bias[j])` over every row.
    @_optimize(speed)
    @inlinable @inline(__always)
    static func mapRows(_ bias: UnsafePointer<Float>?, _ values: UnsafeMutablePointer<Float>, _ rows: Int,
                        _ columns: Int, _ stride: Int, _ transform: (Float) -> Float) {
        for row in 0..<rows {
            let line = values + row * stride
            if let bias {
                for j in 0..<columns { line[j] = transform(line[j] + bias[j]) }
            } else {
                for j in 0..<columns { line[j] = transform(line[j]) }
            }
        }
    }
}
