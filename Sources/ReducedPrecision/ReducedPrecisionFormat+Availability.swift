import CDNNL

extension ReducedPrecisionFormat {
    /// Whether oneDNN can run this format on this CPU (as limited by `DNNL_MAX_CPU_ISA`), found by
    /// asking it for a small matmul. oneDNN 2.6 has bf16 matmul only from AVX-512 up (without
    /// AVX512-BF16 it converts in software); int8 runs everywhere from SSE4.1. A capability, not a
    /// recommendation: `refusal` says whether users should be offered the format.
    public var isAvailable: Bool {
        guard let engine = try? OneDNNEngine.cpu() else { return false }
        let recipe = LinearMatmulRecipe(inputSize: 16, outputSize: 16, format: self, hasBias: true,
                                        weightScales: [Float](repeating: 1, count: 16))
        guard let anyLayout = try? MemoryDescriptor.tagged([16, 16], type: recipe.weightType, tag: dnnl_format_tag_any)
        else { return false }
        return (try? recipe.descriptor(rows: 4, activation: .identity, fusesAccumulate: false, weights: anyLayout,
                                       engine: engine)) != nil
    }

    /// The formats `isAvailable` says run here.
    public static var available: [ReducedPrecisionFormat] { allCases.filter(\.isAvailable) }

    /// Why a model should not run in this format on this CPU, as one line naming the format, what is
    /// missing and what to use instead; nil when the format is offered (it runs here and is faster than
    /// float32). Check it before loading a model, to refuse with one line instead of a slow run.
    ///
    /// - bf16 is offered where oneDNN multiplies bf16 natively (`avx512_core_bf16`, AMX): with AVX-512 but
    ///   without AVX512-BF16 oneDNN converts in software, 2.8× slower than float32 (measured, Zen 4 with
    ///   `DNNL_MAX_CPU_ISA=AVX512_CORE`).
    /// - int8 is offered wherever oneDNN builds it: with VNNI on its brgemm kernels, without on its AVX2
    ///   `gemm:jit` (a residual add that would fall to oneDNN's reference kernel is done after the matmul,
    ///   see `PackedLinearLayer.apply`).
    public var refusal: String? {
        let instructionSet = OneDNNRuntime.instructionSet
        switch self {
        case .bf16:
            let instead = Self.int8.refusal == nil ? "use int8 or fp32" : "use fp32"
            guard isAvailable else {
                return "bf16 matrix products need AVX-512 with AVX512-BF16 (oneDNN runs \(instructionSet) here); \(instead)"
            }
            guard OneDNNRuntime.hasNativeBF16 else {
                return "bf16 without AVX512-BF16 is converted in software by oneDNN (\(instructionSet) here), "
                    + "slower than fp32; \(instead)"
            }
            return nil
        case .int8:
            return isAvailable ? nil : "int8 matrix products are not available here (oneDNN runs \(instructionSet)); use fp32"
        }
    }

    /// The formats `refusal` offers here.
    public static var offered: [ReducedPrecisionFormat] { allCases.filter { $0.refusal == nil } }
}
