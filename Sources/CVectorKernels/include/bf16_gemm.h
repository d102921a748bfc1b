#ifndef CLIPSEG_BF16_GEMM_H
#define CLIPSEG_BF16_GEMM_H
// A linear layer's product in bf16 with AVX512-BF16 dot products (`vdpbf16ps`): weights packed once
// into panels of CLIPSEG_BF16_PANEL_WIDTH output columns holding bf16 pairs of consecutive inputs, bf16
// input rows read in place, float32 sums over 8-row × 48-column register tiles, and the bias, column
// scale, activation and residual add applied to each tile before its one store (float32, or bf16 rounded
// to nearest even). Compiled per function for AVX-512 (BF16, BW, VL); call only when
// `clipseg_bf16_attention_available()` returns 1.
//
// All pointers are caller-owned; nothing is retained or allocated.

#ifdef __cplusplus
extern "C" {
#endif

/// Output columns per packed panel.
enum { CLIPSEG_BF16_PANEL_WIDTH = 48 };

/// 32-bit words `clipseg_bf16_gemm_pack` writes for `inputs` (even) × `outputs` weights.
long clipseg_bf16_gemm_packed_words(long inputs, long outputs);

/// Packs PyTorch's `[outputs, inputs]` row-major float32 weight, rounded to bf16 (nearest even), into
/// `packed` (64-byte aligned, `clipseg_bf16_gemm_packed_words` words): panel `p`, input pair `i`, column
/// `c` at word `(p · inputs / 2 + i) · 48 + c` holds inputs 2i, 2i+1 of output `48p + c` (0 past the end).
void clipseg_bf16_gemm_pack(const float *weight, long inputs, long outputs, unsigned *packed);

/// For rows `0 ..< rows` of `input` (bf16, `input_stride` elements apart, `inputs` even) and the output
/// columns of panels `first_panel ..< end_panel`: `y = activation((x · Wᵀ + bias) · scale)`, with
/// `accumulate` added to what `output` holds, stored into `output` (`output_stride` elements apart,
/// float32 or bf16 when `output_is_bf16`). `bias` and `scales` (`[outputs]`) may be NULL; `activation`
/// is a CLIPSEG_VK_* code.
void clipseg_bf16_gemm(const unsigned short *input, long input_stride, long rows, long inputs, long outputs,
                       const unsigned *packed, long first_panel, long end_panel, const float *bias,
                       const float *scales, int activation, int accumulate, void *output, long output_stride,
                       int output_is_bf16);

/// `rows` rows of `columns` float32 values (`input_stride` apart) rounded to bf16 (nearest even) into dense
/// rows of `output`: a float32 input for `clipseg_bf16_gemm`.
void clipseg_bf16_round_rows(const float *input, long input_stride, long rows, long columns, unsigned short *output);

#ifdef __cplusplus
}
#endif
#endif
