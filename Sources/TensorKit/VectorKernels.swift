import CVectorKernels
import Foundation

/// The AVX-512 builds of TensorKit's element-wise passes (the C target `CVectorKernels`), used when
/// the CPU has AVX-512F: `Softmax`, `Activation`, `LayerNorm` and `ScaledDotProductAttention` call
/// them instead of their portable Swift loops, which the package compiles for baseline x86-64 (4-lane
/// SSE). Results agree with the portable loops to float rounding (fused multiply-adds, 16-lane sums).
///
/// `CLIPSEG_PORTABLE_KERNELS=1` in the environment turns them off (to compare the two paths).
public enum VectorKernels {
    /// Whether the AVX-512 kernels run on this machine (checked once per process).
    public static let isEnabled: Bool = {
        if ProcessInfo.processInfo.environment["CLIPSEG_PORTABLE_KERNELS"] == "1" { return false }
        return clipseg_vk_available() != 0
    }()

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
