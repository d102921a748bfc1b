// The register tile of the packed-panel GEMM (private header of this target), shared by the dense
// layers (packed_gemm.c) and attention (attention_kernel.c). AVX-512: call only after
// `clipseg_vk_available()` said yes.
#ifndef CLIPSEG_PANEL_TILE_H
#define CLIPSEG_PANEL_TILE_H

#include "packed_gemm.h"
#include "vector_math.h"

/// Calls `TILE(n)` with the constant `n` equal to `rows` (1...8), so each row count gets its own
/// inlined copy of a register tile whose accumulator array is then fully in registers.
#define FOR_ROW_COUNT_UP_TO_8(rows, TILE) \
    switch (rows) { \
    case 8: TILE(8); break; \
    case 7: TILE(7); break; \
    case 6: TILE(6); break; \
    case 5: TILE(5); break; \
    case 4: TILE(4); break; \
    case 3: TILE(3); break; \
    case 2: TILE(2); break; \
    default: TILE(1); break; \
    }

enum { TILE_ROWS = 8, TILE_VECTORS = CLIPSEG_PG_PANEL_WIDTH / 16 };

/// Lanes of the 16 columns starting `offset` into a panel of which `valid` columns are real.
AVX512 static inline __mmask16 column_lanes(long valid, long offset) {
    return valid <= offset ? (__mmask16)0 : lanes(valid - offset);
}

/// One `rows × 48` output tile (`rows` ≤ 8, a constant after inlining, so the accumulators live in registers).
AVX512 static inline __attribute__((always_inline)) void
tile(const float *input, long input_stride, long inputs, const float *panel, const float *bias, long valid,
     float *output, long output_stride, int activation, int accumulate, const int rows) {
    __m512 acc[TILE_ROWS][TILE_VECTORS];
    for (int v = 0; v < TILE_VECTORS; v++) {
        const __m512 start = bias ? _mm512_maskz_loadu_ps(column_lanes(valid, 16 * v), bias + 16 * v) : _mm512_setzero_ps();
        for (int i = 0; i < rows; i++) acc[i][v] = start;
    }
    for (long k = 0; k < inputs; k++) {
        __m512 w[TILE_VECTORS];
        for (int v = 0; v < TILE_VECTORS; v++) w[v] = _mm512_load_ps(panel + k * CLIPSEG_PG_PANEL_WIDTH + 16 * v);
        for (int i = 0; i < rows; i++) {
            const __m512 x = _mm512_set1_ps(input[i * input_stride + k]);
            for (int v = 0; v < TILE_VECTORS; v++) acc[i][v] = _mm512_fmadd_ps(x, w[v], acc[i][v]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *line = output + i * output_stride;
        for (int v = 0; v < TILE_VECTORS; v++) {
            const __mmask16 mask = column_lanes(valid, 16 * v);
            __m512 y = acc[i][v];
            if (accumulate) y = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, line + 16 * v), y);
            _mm512_mask_storeu_ps(line + 16 * v, mask, activate(y, activation));
        }
    }
}

/// `tile` for any `rows` in 1...8 (one inlined copy per row count).
AVX512 static inline void tile_rows(const float *input, long input_stride, long inputs, const float *panel, const float *bias,
                                    long valid, float *output, long output_stride, int activation, int accumulate, long rows) {
#define TILE(n) tile(input, input_stride, inputs, panel, bias, valid, output, output_stride, activation, accumulate, n)
    FOR_ROW_COUNT_UP_TO_8(rows, TILE);
#undef TILE
}

#endif
