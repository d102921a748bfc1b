import TensorKit

/// A `PackedLinearLayer`'s input rows, `[rows, inputSize]`: float32, or bf16 bit patterns
/// (`ActivationType.bf16`) as another bf16 operation wrote them. The caller owns the buffer.
public enum LinearInput {
    case float32(UnsafePointer<Float>)
    case bf16(UnsafePointer<UInt16>)
}

/// A `PackedLinearLayer`'s output rows, `[rows, outputSize]`: float32, or bf16 (rounded once, after
/// bias and activation) for a next bf16 operation to read. The caller owns the buffer.
public enum LinearOutput {
    case float32(UnsafeMutablePointer<Float>)
    case bf16(UnsafeMutablePointer<UInt16>)
}

/// `PackedLinearLayer` calls whose input or output may be bf16, so that consecutive bf16 operations
/// hand each other bf16 without a float32 round trip: a bf16 input is the matmul's source as it is
/// (no conversion pass), a bf16 output costs half the writes of a float32 one.
extension PackedLinearLayer {
    /// `output = activation(input · Wᵀ + b)`, or with `accumulate` `output += …`.
    ///
    /// A bf16 input needs a bf16 layer (an int8 layer quantizes float32). A bf16 output must be
    /// dense; an int8 layer may write one. Strides and threads as in the float32 `apply`.
    public func apply(_ input: LinearInput, rows: Int, into output: LinearOutput, activation: Activation = .identity,
                      accumulate: Bool = false, inputStride: Int? = nil, outputStride: Int? = nil,
                      context: ReducedPrecisionContext) throws {
        let (source, sourceType): (UnsafeRawPointer, ActivationType) = switch input {
        case .float32(let pointer): (UnsafeRawPointer(pointer), .float32)
        case .bf16(let pointer): (UnsafeRawPointer(pointer), .bf16)
        }
        let (target, targetType): (UnsafeMutableRawPointer, ActivationType) = switch output {
        case .float32(let pointer): (UnsafeMutableRawPointer(pointer), .float32)
        case .bf16(let pointer): (UnsafeMutableRawPointer(pointer), .bf16)
        }
        precondition(sourceType == .float32 || format == .bf16, "a \(format.rawValue) layer cannot read bf16 input")
        try run(source, source: sourceType, rows: rows, into: target, destination: targetType, activation: activation,
                accumulate: accumulate, inputStride: inputStride, outputStride: outputStride, context: context)
    }
}
