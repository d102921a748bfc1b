// Dense-layer GEMM over pre-packed weight panels; see include/packed_gemm.h.
//
// Each call walks its panels two at a time (about 2 × 147 KB of weights at 768 inputs, kept in L2) and,
// for every block of 8 input rows, computes an 8 × 48 output tile per panel in 24 AVX-512 accumulators:
// per input k, three panel vectors times eight broadcast input values. The input is read in place
// (8 row streams), so only the weights are ever packed, once, when the layer is built. The tile starts
// from the bias and gets the residual add and activation before its single store.
#include "packed_gemm.h"

long clipseg_pg_panel_floats(long outputs, long inputs) {
    return (outputs + CLIPSEG_PG_PANEL_WIDTH - 1) / CLIPSEG_PG_PANEL_WIDTH * CLIPSEG_PG_PANEL_WIDTH * inputs;
}

void clipseg_pg_pack(const float *weight, long outputs, long inputs, float *panels) {
    const long width = CLIPSEG_PG_PANEL_WIDTH, count = (outputs + width - 1) / width;
    for (long p = 0; p < count; p++) {
        float *panel = panels + p * inputs * width;
        for (long j = 0; j < width; j++) {
            const long column = p * width + j;
            const float *row = weight + column * inputs;
            for (long k = 0; k < inputs; k++) panel[k * width + j] = column < outputs ? row[k] : 0.0f;
        }
    }
}

void clipseg_pg_unpack(const float *panels, long outputs, long inputs, float *weight) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    for (long column = 0; column < outputs; column++) {
        const float *panel = panels + column / width * inputs * width + column % width;
        for (long k = 0; k < inputs; k++) weight[column * inputs + k] = panel[k * width];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "vector_math.h"

enum { TILE_ROWS = 8, TILE_VECTORS = CLIPSEG_PG_PANEL_WIDTH / 16, PANELS_PER_PASS = 2 };

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

AVX512 void clipseg_pg_dense(const float *input, long input_stride, long rows, long inputs,
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
#define TILE(n) tile(x, input_stride, inputs, panel, b, valid, y, output_stride, activation, accumulate, n)
                switch (rows - r < TILE_ROWS ? rows - r : TILE_ROWS) {
                case 8: TILE(8); break;
                case 7: TILE(7); break;
                case 6: TILE(6); break;
                case 5: TILE(5); break;
                case 4: TILE(4); break;
                case 3: TILE(3); break;
                case 2: TILE(2); break;
                default: TILE(1); break;
                }
#undef TILE
            }
        }
    }
}

#else

void clipseg_pg_dense(const float *input, long input_stride, long rows, long inputs,
                      const float *panels, long outputs, long panel_begin, long panel_end,
                      const float *bias, float *output, long output_stride, int activation, int accumulate) {
    (void)input; (void)input_stride; (void)rows; (void)inputs; (void)panels; (void)outputs; (void)panel_begin;
    (void)panel_end; (void)bias; (void)output; (void)output_stride; (void)activation; (void)accumulate;
}

#endif
