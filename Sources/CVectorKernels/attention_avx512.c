// One attention head in float32, AVX-512 build; see include/attention_kernel.h.
#include "attention_blocks.h"
#include "kernel_variants.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "panel_tile.h"

enum { VALUE_TILE_ROWS = 8 };

/// One `rows × 32` tile of P · V (`rows` ≤ 8, constant after inlining): `probabilities` rows are
/// `p_stride` apart, `panel` is `tokens × 32` values; each row is divided by its denominator.
AVX512 static inline __attribute__((always_inline)) void
value_tile(const float *probabilities, long p_stride, long tokens, const float *panel, const float *denominators,
           long valid, float *output, long output_stride, const int rows) {
    __m512 acc[VALUE_TILE_ROWS][2];
    for (int i = 0; i < rows; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (long t = 0; t < tokens; t++) {
        const __m512 w0 = _mm512_load_ps(panel + t * VALUE_WIDTH), w1 = _mm512_load_ps(panel + t * VALUE_WIDTH + 16);
        for (int i = 0; i < rows; i++) {
            const __m512 p = _mm512_set1_ps(probabilities[i * p_stride + t]);
            acc[i][0] = _mm512_fmadd_ps(p, w0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(p, w1, acc[i][1]);
        }
    }
    const __mmask16 low = column_lanes(valid, 0), high = column_lanes(valid, 16);
    for (int i = 0; i < rows; i++) {
        const __m512 inverse = _mm512_set1_ps(1.0f / denominators[i]);
        _mm512_mask_storeu_ps(output + i * output_stride, low, _mm512_mul_ps(acc[i][0], inverse));
        _mm512_mask_storeu_ps(output + i * output_stride + 16, high, _mm512_mul_ps(acc[i][1], inverse));
    }
}

AVX512 static void value_tile_rows(const float *probabilities, long p_stride, long tokens, const float *panel,
                                   const float *denominators, long valid, float *output, long output_stride, long rows) {
#define TILE(n) value_tile(probabilities, p_stride, tokens, panel, denominators, valid, output, output_stride, n)
    FOR_ROW_COUNT_UP_TO_8(rows, TILE);
#undef TILE
}

AVX512 void clipseg_attention_head_avx512(const float *query, const float *key, const float *value, long stride,
                                          long tokens, long head_dim, float scale, int causal, float *output,
                                          long output_stride, float *scratch) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    const struct attention_scratch layout = attention_scratch_layout(scratch, tokens, head_dim);
    attention_pack(key, value, stride, tokens, head_dim, scale, &layout);
    const long padded = layout.padded, value_panels = layout.value_panels;
    float *keys = layout.keys, *values = layout.values, *scores = layout.scores, *denominators = layout.denominators;

    for (long first = 0; first < tokens; first += QUERY_BLOCK) {
        const long rows = tokens - first < QUERY_BLOCK ? tokens - first : QUERY_BLOCK;
        for (long r = 0; r < rows; r += TILE_ROWS) {
            for (long p = 0; p < padded / width; p++) {
                tile_rows(query + (first + r) * stride, stride, head_dim, keys + p * head_dim * width, 0,
                          tokens - p * width, scores + r * padded + p * width, padded, CLIPSEG_VK_IDENTITY, 0,
                          rows - r < TILE_ROWS ? rows - r : TILE_ROWS);
            }
        }
        for (long r = 0; r < rows; r++) {
            float *line = scores + r * padded;
            const long valid = causal && first + r + 1 < tokens ? first + r + 1 : tokens;
            denominators[r] = clipseg_vk_exp_shifted_sum_avx512(line, valid);
            for (long t = valid; t < tokens; t++) line[t] = 0.0f;
        }
        for (long r = 0; r < rows; r += VALUE_TILE_ROWS) {
            for (long q = 0; q < value_panels; q++) {
                value_tile_rows(scores + r * padded, padded, tokens, values + q * tokens * VALUE_WIDTH, denominators + r,
                                head_dim - q * VALUE_WIDTH, output + (first + r) * output_stride + q * VALUE_WIDTH,
                                output_stride, rows - r < VALUE_TILE_ROWS ? rows - r : VALUE_TILE_ROWS);
            }
        }
    }
}

#endif
