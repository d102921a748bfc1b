// One attention head in float32, AVX2 + FMA build; see include/attention_kernel.h.
//
// As the AVX-512 build: keys (times the scale) and values packed once per call, 48 query rows per block;
// the block's scores come from the dense layers' 6 × 16 tiles over the 48-token key panels, the softmax is
// `clipseg_vk_exp_shifted_sum_avx2` per row, and P · V runs in 6 × 16 tiles over the 32-wide value panels
// that divide by the row's denominator before their one store.
#include "attention_blocks.h"
#include "kernel_variants.h"

#if CLIPSEG_HAS_X86_KERNELS
#include "panel_tile_avx2.h"

AVX2 void clipseg_attention_head_avx2(const float *query, const float *key, const float *value, long stride,
                                      long tokens, long head_dim, float scale, int causal, float *output,
                                      long output_stride, float *scratch) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    const struct attention_scratch layout = attention_scratch_layout(scratch, tokens, head_dim);
    attention_pack(key, value, stride, tokens, head_dim, scale, &layout);
    const long padded = layout.padded;
    for (long first = 0; first < tokens; first += QUERY_BLOCK) {
        const long rows = tokens - first < QUERY_BLOCK ? tokens - first : QUERY_BLOCK;
        for (long r = 0; r < rows; r += TILE_ROWS_AVX2) {
            const long count = rows - r < TILE_ROWS_AVX2 ? rows - r : TILE_ROWS_AVX2;
            for (long p = 0; p < padded / width; p++) {
                panel_rows_avx2(query + (first + r) * stride, stride, head_dim, layout.keys + p * head_dim * width,
                                width, width, 0, 0, tokens - p * width, layout.scores + r * padded + p * width,
                                padded, CLIPSEG_VK_IDENTITY, 0, 1, count);
            }
        }
        for (long r = 0; r < rows; r++) {
            float *line = layout.scores + r * padded;
            const long valid = causal && first + r + 1 < tokens ? first + r + 1 : tokens;
            layout.denominators[r] = clipseg_vk_exp_shifted_sum_avx2(line, valid);
            for (long t = valid; t < tokens; t++) line[t] = 0.0f;
        }
        for (long r = 0; r < rows; r += TILE_ROWS_AVX2) {
            const long count = rows - r < TILE_ROWS_AVX2 ? rows - r : TILE_ROWS_AVX2;
            for (long q = 0; q < layout.value_panels; q++) {
                panel_rows_avx2(layout.scores + r * padded, padded, tokens, layout.values + q * tokens * VALUE_WIDTH,
                                VALUE_WIDTH, VALUE_WIDTH, 0, layout.denominators + r, head_dim - q * VALUE_WIDTH,
                                output + (first + r) * output_stride + q * VALUE_WIDTH, output_stride,
                                CLIPSEG_VK_IDENTITY, 0, 1, count);
            }
        }
    }
}

#endif
