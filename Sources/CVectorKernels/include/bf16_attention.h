#ifndef CLIPSEG_BF16_ATTENTION_H
#define CLIPSEG_BF16_ATTENTION_H
// One attention head in bf16 with AVX512-BF16 dot products (`vdpbf16ps`), fused: scores, row softmax
// and the weighted values for a few query rows at a time, so nothing but the head's packed keys and
// values leaves the core's cache. Compiled per function for AVX-512 (BF16, BW, VL); call it only when
// `clipseg_bf16_attention_available()` returns 1 and `clipseg_bf16_attention_supports(head_dim)`.
//
// Numbers (the scheme of ReducedPrecision's oneDNN head blocks): scores = scale · Σ_d q·k, float32
// sums of exact bf16 products; probabilities p = e^(s − max) / Σ e^(s − max) in float32, rounded to
// bf16 (nearest, ties to even); output = Σ_j p·v in float32 sums, written as float32 or rounded to bf16.
//
// All pointers are caller-owned; nothing is retained or allocated.

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU and OS run AVX512-BF16 code (checked once), else 0; always 0 off x86-64.
int clipseg_bf16_attention_available(void);

/// 1 when the kernel handles heads of `head_dim` values (a multiple of 16, at most 64), else 0.
int clipseg_bf16_attention_supports(long head_dim);

/// Bytes of 64-byte-aligned scratch `clipseg_bf16_attention` needs for `tokens` tokens of `head_dim`.
long clipseg_bf16_attention_scratch_bytes(long tokens, long head_dim);

/// Attention of one head of one sequence of `tokens > 0` tokens, for query rows
/// `first_row ..< first_row + row_count`. `queries`, `keys` and `values` point at token 0's `head_dim`
/// bf16 values (bit patterns) of this head; token `t`'s are `t · row_stride` elements further (`row_stride`
/// even). Writes rows `first_row …` of `output` (token `t` at `t · output_stride` elements from `output`),
/// `head_dim` float32 values each, or bf16 when `output_is_bf16`. `scratch`: 64-byte aligned,
/// `clipseg_bf16_attention_scratch_bytes(tokens, head_dim)` bytes (the head's keys and values are
/// packed there on every call).
void clipseg_bf16_attention(const unsigned short *queries, const unsigned short *keys, const unsigned short *values,
                            long row_stride, long tokens, long head_dim, long first_row, long row_count, float scale,
                            void *output, long output_stride, int output_is_bf16, void *scratch);

#ifdef __cplusplus
}
#endif
#endif
