import CVectorKernels
import TensorKit

/// A bf16 linear layer's weights packed for the AVX512-BF16 panel kernel (`clipseg_bf16_gemm` in
/// CVectorKernels): panels of 48 output columns holding bf16 pairs of consecutive inputs, plus the
/// layer's float32 bias and column scales. `PackedLinearLayer` runs its bf16-input calls here when
/// the CPU has AVX512-BF16: one pass per 8 × 48 register tile that adds the bias, scales, applies the
/// activation and the residual add before its single store, split by panels over the threads.
///
/// Owns its memory (`[panels, inputSize / 2, 48]` 32-bit words, 2 bytes per weight). Immutable after
/// `init`, so shared freely between threads (`@unchecked Sendable` for the raw buffer).
final class BF16PanelWeights: @unchecked Sendable {
    let inputSize: Int
    let outputSize: Int
    /// `[panels · inputSize / 2 · 48]` words, 64-byte aligned.
    let words: UnsafeMutableRawPointer
    let wordCount: Int
    /// `[outputSize]` or empty.
    let bias: [Float]
    /// `[outputSize]` or empty.
    let columnScales: [Float]

    /// Whether this CPU and `inputSize` suit the kernel: AVX512-BF16 (not lowered by `DNNL_MAX_CPU_ISA`,
    /// which tests use to emulate older CPUs) and an even input size.
    static func supports(inputSize: Int) -> Bool {
        inputSize % 2 == 0 && clipseg_bf16_attention_available() == 1
            && ["avx512_core_bf16", "avx512_core_amx"].contains(OneDNNRuntime.instructionSet)
    }

    /// Packs PyTorch's `[outputSize, inputSize]` row-major weight (rounded to nearest bf16).
    init(pytorchWeight: [Float], bias: [Float]?, columnScales: [Float]?, inputSize: Int, outputSize: Int) {
        precondition(Self.supports(inputSize: inputSize), "the bf16 panel kernel does not run here")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let count = clipseg_bf16_gemm_packed_words(inputSize, outputSize)
        let words = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pytorchWeight.withUnsafeBufferPointer {
            clipseg_bf16_gemm_pack($0.baseAddress!, inputSize, outputSize, words.assumingMemoryBound(to: UInt32.self))
        }
        self.words = words
        wordCount = count
        self.bias = bias ?? []
        self.columnScales = columnScales ?? []
    }

    deinit { words.deallocate() }

    /// The packed weights back in PyTorch's `[outputSize, inputSize]` layout (the bf16 values as float32),
    /// for oneDNN's packing when a call needs its kernels instead.
    func pytorchWeight() -> [Float] {
        let panel = Int(CLIPSEG_BF16_PANEL_WIDTH), pairs = inputSize / 2
        let packed = words.assumingMemoryBound(to: UInt32.self)
        return [Float](unsafeUninitializedCapacity: inputSize * outputSize) { buffer, count in
            for output in 0..<outputSize {
                let base = (output / panel) * pairs * panel + output % panel
                for pair in 0..<pairs {
                    let word = packed[base + pair * panel]
                    buffer[output * inputSize + 2 * pair] = Float(bitPattern: word << 16)
                    buffer[output * inputSize + 2 * pair + 1] = Float(bitPattern: word & 0xFFFF_0000)
                }
            }
            count = inputSize * outputSize
        }
    }

    /// Whether `apply` computes `activation` (identity, ReLU, QuickGELU).
    static func computes(_ activation: Activation) -> Bool { VectorKernels.code(of: activation) != nil }

    /// `output = activation((input · Wᵀ + b) · scales)`, or with `accumulate` `output += …`, for bf16
    /// input rows (`inputStride` apart) into float32 or bf16 rows (`outputStride` apart), the panels
    /// handed out over `threads` threads (`ParallelLoop`).
    func apply(_ input: UnsafePointer<UInt16>, inputStride: Int, rows: Int, into output: UnsafeMutableRawPointer,
               outputStride: Int, outputIsBF16: Bool, activation: Activation, accumulate: Bool, threads: Int) {
        guard rows > 0, let code = VectorKernels.code(of: activation) else {
            precondition(rows <= 0, "the panel kernel has no \(activation)")
            return
        }
        let panel = Int(CLIPSEG_BF16_PANEL_WIDTH)
        let panels = (outputSize + panel - 1) / panel
        // Two pieces per thread (a pre-empted thread's second piece is taken over), at least one panel each.
        let pieces = max(1, min(panels, threads > 1 ? 2 * threads : 1))
        let packed = UnsafePointer(words.assumingMemoryBound(to: UInt32.self))
        bias.withUnsafeBufferPointer { bias in
            columnScales.withUnsafeBufferPointer { scales in
                ParallelLoop.run(chunks: pieces, threads: threads) { piece in
                    let range = ParallelLoop.piece(piece, of: pieces, 0..<panels)
                    clipseg_bf16_gemm(input, inputStride, rows, inputSize, outputSize, packed, range.lowerBound,
                                      range.upperBound, bias.isEmpty ? nil : bias.baseAddress,
                                      scales.isEmpty ? nil : scales.baseAddress, code,
                                      accumulate ? 1 : 0, output, outputStride, outputIsBF16 ? 1 : 0)
                }
            }
        }
    }
}
