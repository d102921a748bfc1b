// The AVX2 + FMA register tile of the packed-panel GEMM (private header of this target), shared by the
// dense layers (packed_gemm_avx2.c) and attention (attention_avx2.c). Include it only inside
// `#if defined(__x86_64__)`; its functions run only when `clipseg_isa_selected()` is CLIPSEG_ISA_AVX2 or higher.
//
// A tile is up to 6 rows × 16 columns in 12 of the 16 ymm registers: per input k, two panel vectors
// (16 consecutive columns of the panel's row k) times six broadcast input values, the classic 6 × 16
// AVX2 micro-kernel shape (2 loads + 6 broadcasts per 12 fused multiply-adds).
#ifndef CLIPSEG_PANEL_TILE_AVX2_H
#define CLIPSEG_PANEL_TILE_AVX2_H

#include "packed_gemm.h"
#include "vector_math_avx2.h"

enum { TILE_ROWS_AVX2 = 6, TILE_COLUMNS_AVX2 = 16 };

/// One `rows × 16` output tile (`rows` ≤ 6, a constant after inlining, so the accumulators live in
/// registers) over the inputs `0 ..< inputs` of `input` and `panel`: the sums start from `bias` (may be NULL)
/// plus, with `read_output`, what `output` holds (a residual, or the sums of earlier inputs); with `finish`
/// they are divided by `divisors[i]` (may be NULL: one divisor per row) and go through the activation before
/// the store, else they are stored as they are (to be continued over further inputs). `panel` points at the
/// tile's first column of row 0 of a panel whose rows are `panel_stride` floats apart (32-byte aligned), `bias`
/// at the tile's first column. Only the first `valid` columns (> 0) are read and written.
AVX2 static inline __attribute__((always_inline)) void
tile_avx2(const float *input, long input_stride, long inputs, const float *panel, long panel_stride,
          const float *bias, const float *divisors, long valid, float *output, long output_stride, int activation,
          int read_output, int finish, const int rows) {
    const __m256i low = lanes8(valid), high = lanes8(valid - 8);
    __m256 acc[TILE_ROWS_AVX2][2];
    __m256 start0 = _mm256_setzero_ps(), start1 = _mm256_setzero_ps();
    if (bias) {
        start0 = valid >= 16 ? _mm256_loadu_ps(bias) : _mm256_maskload_ps(bias, low);
        start1 = valid >= 16 ? _mm256_loadu_ps(bias + 8) : _mm256_maskload_ps(bias + 8, high);
    }
    for (int i = 0; i < rows; i++) {
        acc[i][0] = start0;
        acc[i][1] = start1;
        if (read_output) {
            const float *line = output + i * output_stride;
            acc[i][0] = _mm256_add_ps(acc[i][0], valid >= 16 ? _mm256_loadu_ps(line) : _mm256_maskload_ps(line, low));
            acc[i][1] = _mm256_add_ps(acc[i][1], valid >= 16 ? _mm256_loadu_ps(line + 8) : _mm256_maskload_ps(line + 8, high));
        }
    }
    for (long k = 0; k < inputs; k++) {
        const __m256 w0 = _mm256_load_ps(panel + k * panel_stride), w1 = _mm256_load_ps(panel + k * panel_stride + 8);
        for (int i = 0; i < rows; i++) {
            const __m256 x = _mm256_broadcast_ss(input + i * input_stride + k);
            acc[i][0] = _mm256_fmadd_ps(x, w0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(x, w1, acc[i][1]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *line = output + i * output_stride;
        __m256 y0 = acc[i][0], y1 = acc[i][1];
        if (finish && divisors) {
            const __m256 inverse = _mm256_set1_ps(1.0f / divisors[i]);
            y0 = _mm256_mul_ps(y0, inverse);
            y1 = _mm256_mul_ps(y1, inverse);
        }
        if (finish) {
            y0 = activate8(y0, activation);
            y1 = activate8(y1, activation);
        }
        if (valid >= 16) {
            _mm256_storeu_ps(line, y0);
            _mm256_storeu_ps(line + 8, y1);
        } else {
            _mm256_maskstore_ps(line, low, y0);
            _mm256_maskstore_ps(line + 8, high, y1);
        }
    }
}

/// `tile_avx2` for any `rows` in 1...6 (one inlined copy per row count).
AVX2 static inline void tile_rows_avx2(const float *input, long input_stride, long inputs, const float *panel,
                                       long panel_stride, const float *bias, const float *divisors, long valid,
                                       float *output, long output_stride, int activation, int read_output, int finish,
                                       long rows) {
#define TILE(n) tile_avx2(input, input_stride, inputs, panel, panel_stride, bias, divisors, valid, output, \
                          output_stride, activation, read_output, finish, n)
    switch (rows) {
    case 6: TILE(6); break;
    case 5: TILE(5); break;
    case 4: TILE(4); break;
    case 3: TILE(3); break;
    case 2: TILE(2); break;
    default: TILE(1); break;
    }
#undef TILE
}

/// `tile_avx2` over the output columns `0 ..< min(valid, width)` of up to 6 rows against one panel `width`
/// columns wide (a multiple of 16; rows `panel_stride` floats apart), 16 columns at a time.
AVX2 static inline void panel_rows_avx2(const float *input, long input_stride, long inputs, const float *panel,
                                        long panel_stride, long width, const float *bias, const float *divisors,
                                        long valid, float *output, long output_stride, int activation, int read_output,
                                        int finish, long rows) {
    for (long column = 0; column < width && column < valid; column += TILE_COLUMNS_AVX2) {
        tile_rows_avx2(input, input_stride, inputs, panel + column, panel_stride, bias ? bias + column : 0, divisors,
                       valid - column, output + column, output_stride, activation, read_output, finish, rows);
    }
}

#endif
