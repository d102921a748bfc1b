// How the float32 attention kernels cut one head into blocks (private header of this target), shared by
// the family builds (attention_avx512.c, attention_avx2.c) and the scratch size (attention_kernel.c).
#ifndef CLIPSEG_ATTENTION_BLOCKS_H
#define CLIPSEG_ATTENTION_BLOCKS_H

#include "packed_gemm.h"

/// Query rows whose scores are computed, exponentiated and multiplied by V together (their scores
/// stay in cache); width of the value panels (head columns per P · V tile).
enum { QUERY_BLOCK = 48, VALUE_WIDTH = 32 };

static inline long round_up(long value, long multiple) { return (value + multiple - 1) / multiple * multiple; }

/// Where the packed keys, values, block scores and denominators live in a head's scratch: keys from the
/// first 64-byte boundary, `padded × head_dim` floats (`padded` = tokens rounded up to whole key panels),
/// then the value panels, one block's scores, their denominators.
struct attention_scratch {
    float *keys, *values, *scores, *denominators;
    long padded, value_panels;
};

static inline struct attention_scratch attention_scratch_layout(float *scratch, long tokens, long head_dim) {
    struct attention_scratch layout;
    layout.padded = round_up(tokens, CLIPSEG_PG_PANEL_WIDTH);
    layout.value_panels = round_up(head_dim, VALUE_WIDTH) / VALUE_WIDTH;
    layout.keys = (float *)(((unsigned long)scratch + 63) & ~63ul);
    layout.values = layout.keys + layout.padded * head_dim;
    layout.scores = layout.values + layout.value_panels * VALUE_WIDTH * tokens;
    layout.denominators = layout.scores + QUERY_BLOCK * layout.padded;
    return layout;
}

/// Packs `scale · K` into 48-token panels (the "weights" of a dense layer with head_dim inputs and one
/// output per token, zero past the last token) and V into `VALUE_WIDTH`-wide panels (zero past head_dim).
static inline void attention_pack(const float *key, const float *value, long stride, long tokens, long head_dim,
                                  float scale, const struct attention_scratch *layout) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    for (long p = 0; p < layout->padded / width; p++) {
        float *panel = layout->keys + p * head_dim * width;
        for (long j = 0; j < width; j++) {
            const long token = p * width + j;
            const float *row = key + token * stride;
            // Scalar stores 48 floats apart: vectorised, they become slow scatters.
#pragma clang loop vectorize(disable)
            for (long d = 0; d < head_dim; d++) panel[d * width + j] = token < tokens ? scale * row[d] : 0.0f;
        }
    }
    for (long q = 0; q < layout->value_panels; q++) {
        for (long t = 0; t < tokens; t++) {
            float *line = layout->values + (q * tokens + t) * VALUE_WIDTH;
            for (long j = 0; j < VALUE_WIDTH; j++) {
                const long d = q * VALUE_WIDTH + j;
                line[j] = d < head_dim ? value[t * stride + d] : 0.0f;
            }
        }
    }
}

#endif
