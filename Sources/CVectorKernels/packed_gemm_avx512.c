// Dense-layer GEMM over pre-packed weight panels, AVX-512 build; see include/packed_gemm.h.
//
// Each call walks its panels two at a time (about 2 × 147 KB of weights at 768 inputs, kept in L2) and,
// for every block of 8 input rows, computes an 8 × 48 output tile per panel in 24 AVX-512 accumulators:
// per input k, three panel vectors times eight broadcast input values. The input is read in place
// (8 row streams), so only the weights are ever packed, once, when the layer is built. The tile starts
// from the bias and gets the residual add and activation before its single store.
#include "kernel_variants.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "panel_tile.h"

enum { PANELS_PER_PASS = 2 };

AVX512 void clipseg_pg_dense_avx512(const float *input, long input_stride, long rows, long inputs,
                                    const float *panels, long outputs, long panel_begin, long panel_end,
                                    const float *bias, float *output, long output_stride, int activation, int accumulate) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    for (long first = panel_begin; first < panel_end; first += PANELS_PER_PASS) {
        const long last = first + PANELS_PER_PASS < panel_end ? first + PANELS_PER_PASS : panel_end;
        for (long r = 0; r < rows; r += TILE_ROWS) {
            const float *x = input + r * input_stride;
            for (long p = first; p < last; p++) {
                const float *panel = panels + p * inputs * width;
                const float *b = bias ? bias + p * width : 0;
                const long valid = outputs - p * width;
                float *y = output + r * output_stride + p * width;
                tile_rows(x, input_stride, inputs, panel, b, valid, y, output_stride, activation, accumulate,
                          rows - r < TILE_ROWS ? rows - r : TILE_ROWS);
            }
        }
    }
}

#endif
