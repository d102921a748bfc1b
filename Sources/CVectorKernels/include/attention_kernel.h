#ifndef CLIPSEG_ATTENTION_KERNEL_H
#define CLIPSEG_ATTENTION_KERNEL_H
// One attention head of one sequence in float32 with AVX-512F: softmax(scale · Q Kᵀ) V, by blocks of 48
// query rows whose scores stay in cache. Call only when `clipseg_vk_available()` returns 1.
//
// The keys (times `scale`) are packed into 48-token panels and the values into 32-wide panels once per
// call; each block's scores come from the dense layers' 8 × 48 register tile (packed_gemm.h), the
// softmax is `clipseg_vk_exp_shifted_sum` per row, and P · V runs in 8 × 32 tiles that divide by the
// row's denominator before their one store. All pointers are caller-owned; nothing is allocated.

#ifdef __cplusplus
extern "C" {
#endif

/// Scratch floats `clipseg_attention_head` needs for `tokens` tokens and heads `head_dim` wide
/// (including slack to align it to 64 bytes).
long clipseg_attention_scratch_floats(long tokens, long head_dim);

/// `output[i][0 ..< head_dim] = Σ_t softmax_t(scale · q_i · k_t) v_t` for every query token i, where
/// `query`, `key` and `value` point at the head's first column in rows `stride` floats apart (the
/// packed q|k|v projection). With `causal`, token i attends to tokens 0...i only. `output` rows are
/// `output_stride` floats apart; only the head's `head_dim` columns are written.
void clipseg_attention_head(const float *query, const float *key, const float *value, long stride, long tokens,
                            long head_dim, float scale, int causal, float *output, long output_stride, float *scratch);

#ifdef __cplusplus
}
#endif
#endif
