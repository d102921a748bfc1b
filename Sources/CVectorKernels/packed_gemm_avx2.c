// Dense-layer GEMM over pre-packed weight panels, AVX2 + FMA build; see include/packed_gemm.h.
//
// The same 48-column panels as the AVX-512 build (one packing serves both). Each call walks its panels two
// at a time (about 2 × 147 KB of weights at 768 inputs, kept in L2) and, for every block of 6 input rows
// (kept in L1 while they meet the panels' six 16-column slices), computes 6 × 16 register tiles
// (panel_tile_avx2.h). The tile starts from the bias and gets the residual add and activation before its
// single store. Layers with more than `WHOLE_INPUTS` inputs (the MLP's second layer, 3072) are summed over
// chunks of inputs, so a row block's chunk still fits L1: the output holds the partial sums in between,
// and only the last chunk applies the activation.
#include "kernel_variants.h"

#if CLIPSEG_HAS_X86_KERNELS
#include "panel_tile_avx2.h"

enum { PANELS_PER_PASS = 2, WHOLE_INPUTS = 1024, INPUT_CHUNK = 512 };

AVX2 void clipseg_pg_dense_avx2(const float *input, long input_stride, long rows, long inputs,
                                const float *panels, long outputs, long panel_begin, long panel_end,
                                const float *bias, float *output, long output_stride, int activation, int accumulate) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    const long chunk = inputs > WHOLE_INPUTS ? INPUT_CHUNK : inputs;
    for (long first = panel_begin; first < panel_end; first += PANELS_PER_PASS) {
        const long last = first + PANELS_PER_PASS < panel_end ? first + PANELS_PER_PASS : panel_end;
        for (long k = 0; k < inputs || k == 0; k += chunk) {
            const long count = inputs - k < chunk ? inputs - k : chunk;
            const int opening = k == 0, closing = k + chunk >= inputs;
            for (long r = 0; r < rows; r += TILE_ROWS_AVX2) {
                for (long p = first; p < last; p++) {
                    panel_rows_avx2(input + r * input_stride + k, input_stride, count, panels + (p * inputs + k) * width,
                                    width, width, opening && bias ? bias + p * width : 0, 0, outputs - p * width,
                                    output + r * output_stride + p * width, output_stride, activation,
                                    !opening || accumulate, closing, rows - r < TILE_ROWS_AVX2 ? rows - r : TILE_ROWS_AVX2);
                }
            }
            if (inputs == 0) break;
        }
    }
}

#endif
