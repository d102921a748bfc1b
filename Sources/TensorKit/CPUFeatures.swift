import CVectorKernels

/// The x86 instruction-set extensions the model's kernels and libraries choose between, as this CPU and
/// its operating system support them (cpuid, and XCR0 for the AVX-512 register state):
/// TensorKit's own kernels need AVX-512F and FMA or AVX2 and FMA (`KernelISA`), the fused bf16 attention
/// AVX512-BF16, oneDNN's exact int8 products VNNI, and OpenBLAS's Haswell/Zen kernels AVX2 and FMA.
public struct CPUFeatures: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let avx512F = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_AVX512F))
    public static let avx512BF16 = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_AVX512_BF16))
    public static let avx512VNNI = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_AVX512_VNNI))
    public static let avx2 = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_AVX2))
    public static let fma = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_FMA))
    /// The VEX-encoded VNNI of Intel client cores (Alder Lake and later) without AVX-512.
    public static let avxVNNI = CPUFeatures(rawValue: Int32(CLIPSEG_CPU_AVX_VNNI))

    /// Every feature with its usual spelling (`AVX-512F`, `AVX512-BF16`, `AVX512-VNNI`, `AVX2`, `FMA`,
    /// `AVX-VNNI`), the AVX-512 ones first.
    public static let names: [(feature: CPUFeatures, name: String)] = [
        (.avx512F, "AVX-512F"), (.avx512BF16, "AVX512-BF16"), (.avx512VNNI, "AVX512-VNNI"), (.avx2, "AVX2"), (.fma, "FMA"),
        (.avxVNNI, "AVX-VNNI"),
    ]

    /// What this machine supports (empty off x86-64).
    public static let current = CPUFeatures(rawValue: Int32(clipseg_cpu_features()))
}
