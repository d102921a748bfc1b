import CVectorKernels

/// TensorKit's own vector kernels (the C target `CVectorKernels`, in the family `KernelISA.current` names):
/// `Softmax`, `Activation`, `LayerNorm`, `DenseLayer` and `ScaledDotProductAttention` call them instead of
/// their portable Swift loops and OpenBLAS, which the package compiles for baseline x86-64 (4-lane SSE).
/// Results agree with the portable loops to float rounding (fused multiply-adds, 8- or 16-lane sums).
public enum VectorKernels {
    /// Whether a vector family (AVX2 or AVX-512) runs now: `KernelISA.current != .portable`.
    public static var isEnabled: Bool { KernelISA.current != .portable }

    /// The kernel's code for `activation`, or nil when only the portable loop computes it.
    @inlinable
    public static func code(of activation: Activation) -> Int32? {
        switch activation {
        case .identity: Int32(CLIPSEG_VK_IDENTITY)
        case .relu: Int32(CLIPSEG_VK_RELU)
        case .quickGELU: Int32(CLIPSEG_VK_QUICK_GELU)
        case .gelu, .geluTanh: nil
        }
    }
}
