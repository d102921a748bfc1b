import CDNNL

extension ReducedPrecisionFormat {
    /// Whether oneDNN can run this format on this CPU (as limited by `DNNL_MAX_CPU_ISA`), found by
    /// asking it for a small matmul. oneDNN 2.6 has bf16 matmul only from AVX-512 up (without
    /// AVX512-BF16 it converts in software); int8 runs everywhere from SSE4.1. Check this before
    /// loading a model with `--precision`, to refuse with one line instead of failing mid-load.
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
}
