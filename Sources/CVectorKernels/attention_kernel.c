// One attention head in float32: scratch size and the choice of build; see include/attention_kernel.h.
#include "attention_kernel.h"
#include "attention_blocks.h"
#include "kernel_variants.h"
#include "vector_kernels.h"

#include <math.h>

long clipseg_attention_scratch_floats(long tokens, long head_dim) {
    const long padded = round_up(tokens, CLIPSEG_PG_PANEL_WIDTH);
    return padded * head_dim                           // key panels
         + round_up(head_dim, VALUE_WIDTH) * tokens    // value panels
         + QUERY_BLOCK * padded                        // one block's scores
         + QUERY_BLOCK                                 // their softmax denominators
         + 16;                                         // alignment slack
}

/// Plain C: the same packing and blocks, scores by `clipseg_pg_dense_portable`, then scalar softmax and P · V.
static void attention_head_portable(const float *query, const float *key, const float *value, long stride, long tokens,
                                    long head_dim, float scale, int causal, float *output, long output_stride,
                                    float *scratch) {
    const struct attention_scratch layout = attention_scratch_layout(scratch, tokens, head_dim);
    attention_pack(key, value, stride, tokens, head_dim, scale, &layout);
    for (long first = 0; first < tokens; first += QUERY_BLOCK) {
        const long rows = tokens - first < QUERY_BLOCK ? tokens - first : QUERY_BLOCK;
        clipseg_pg_dense_portable(query + first * stride, stride, rows, head_dim, layout.keys, tokens, 0,
                                  layout.padded / CLIPSEG_PG_PANEL_WIDTH, 0, layout.scores, layout.padded,
                                  CLIPSEG_VK_IDENTITY, 0);
        for (long r = 0; r < rows; r++) {
            float *line = layout.scores + r * layout.padded;
            const long valid = causal && first + r + 1 < tokens ? first + r + 1 : tokens;
            float maximum = -INFINITY, sum = 0.0f;
            for (long t = 0; t < valid; t++) maximum = line[t] > maximum ? line[t] : maximum;
            for (long t = 0; t < valid; t++) sum += line[t] = expf(line[t] - maximum);
            for (long t = valid; t < tokens; t++) line[t] = 0.0f;
            float *y = output + (first + r) * output_stride;
            for (long d = 0; d < head_dim; d++) {
                const float *column = layout.values + (d / VALUE_WIDTH * tokens) * VALUE_WIDTH + d % VALUE_WIDTH;
                float total = 0.0f;
                for (long t = 0; t < tokens; t++) total += line[t] * column[t * VALUE_WIDTH];
                y[d] = total / sum;
            }
        }
    }
}

void clipseg_attention_head(const float *query, const float *key, const float *value, long stride, long tokens,
                            long head_dim, float scale, int causal, float *output, long output_stride, float *scratch) {
    switch (clipseg_isa_selected()) {
#if CLIPSEG_HAS_X86_KERNELS
    case CLIPSEG_ISA_AVX512:
        clipseg_attention_head_avx512(query, key, value, stride, tokens, head_dim, scale, causal, output, output_stride,
                                      scratch);
        return;
    case CLIPSEG_ISA_AVX2:
        clipseg_attention_head_avx2(query, key, value, stride, tokens, head_dim, scale, causal, output, output_stride,
                                    scratch);
        return;
#endif
    default:
        attention_head_portable(query, key, value, stride, tokens, head_dim, scale, causal, output, output_stride,
                                scratch);
    }
}
