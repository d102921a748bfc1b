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
        if self == .identity { return }
        for i in 0..<count { values[i] = self(values[i]) }
    }

    /// Adds `bias` (length `columns`) to every row of `values` (`[rows, columns]`, row stride
    /// `stride`) and applies the activation, in one pass over memory.
    @inlinable
    public func applyAddingBias(_ bias: UnsafePointer<Float>?, to values: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int, stride: Int? = nil) {
        let stride = stride ?? columns
        for row in 0..<rows {
            let line = values + row * stride
            if let bias {
                switch self {
                case .identity: for j in 0..<columns { line[j] += bias[j] }
                case .relu: for j in 0..<columns { let v = line[j] + bias[j]; line[j] = v > 0 ? v : 0 }
                default: for j in 0..<columns { line[j] = self(line[j] + bias[j]) }
                }
            } else {
                apply(line, count: columns)
            }
        }
    }
}
