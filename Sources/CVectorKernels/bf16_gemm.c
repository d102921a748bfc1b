// bf16 linear-layer product; see include/bf16_gemm.h. The kernels are compiled for AVX512-BF16 through
// a `target` attribute and run only after `clipseg_bf16_attention_available()` said yes.
#include "bf16_gemm.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "vector_math.h"

#define AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma")))
#define INLINE static inline __attribute__((always_inline))

/// Rows and 16-column vectors of one register tile (24 float32 sums).
enum { TILE_ROWS = 8, TILE_VECTORS = CLIPSEG_BF16_PANEL_WIDTH / 16 };

long clipseg_bf16_gemm_packed_words(long inputs, long outputs) {
    const long panels = (outputs + CLIPSEG_BF16_PANEL_WIDTH - 1) / CLIPSEG_BF16_PANEL_WIDTH;
    return panels * (inputs / 2) * CLIPSEG_BF16_PANEL_WIDTH;
}

/// `value` rounded to the nearest bf16 (ties to even), as its bit pattern; NaN stays NaN.
static unsigned bf16_bits(float value) {
    unsigned bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (bits >> 16) | 0x40u;
    return (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
}

void clipseg_bf16_gemm_pack(const float *weight, long inputs, long outputs, unsigned *packed) {
    const long pairs = inputs / 2, width = CLIPSEG_BF16_PANEL_WIDTH;
    const long panels = (outputs + width - 1) / width;
    for (long panel = 0; panel < panels; panel++) {
        for (long pair = 0; pair < pairs; pair++) {
            unsigned *target = packed + (panel * pairs + pair) * width;
            for (long c = 0; c < width; c++) {
                const long output = panel * width + c;
                const float *row = weight + output * inputs + 2 * pair;
                target[c] = output < outputs ? bf16_bits(row[0]) | bf16_bits(row[1]) << 16 : 0u;
            }
        }
    }
}

/// Lanes `0 ..< count` (none when count ≤ 0).
INLINE __mmask16 first_lanes(long count) {
    return count <= 0 ? (__mmask16)0 : count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/// One tile: `rows` (≤ TILE_ROWS) input rows × one panel, with its epilogue.
AVX512BF16 INLINE void gemm_tile(int rows, const unsigned short *input, long input_stride, long pairs,
                                 const unsigned *panel, long column, long outputs, const float *bias,
                                 const float *scales, int activation, int accumulate, char *output,
                                 long output_row_bytes, int output_is_bf16) {
    __m512 sums[TILE_ROWS][TILE_VECTORS];
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < TILE_VECTORS; v++) sums[r][v] = _mm512_setzero_ps();
    for (long pair = 0; pair < pairs; pair++) {
        __m512i weights[TILE_VECTORS];
        for (int v = 0; v < TILE_VECTORS; v++) {
            weights[v] = _mm512_load_si512(panel + pair * CLIPSEG_BF16_PANEL_WIDTH + v * 16);
        }
        for (int r = 0; r < rows; r++) {
            unsigned word;
            memcpy(&word, input + r * input_stride + 2 * pair, sizeof word);
            const __m512bh x = (__m512bh)_mm512_set1_epi32((int)word);
            for (int v = 0; v < TILE_VECTORS; v++) sums[r][v] = _mm512_dpbf16_ps(sums[r][v], x, (__m512bh)weights[v]);
        }
    }
    for (int v = 0; v < TILE_VECTORS; v++) {
        const long first = column + v * 16;
        const __mmask16 mask = first_lanes(outputs - first);
        if (!mask) break;
        const __m512 b = bias ? _mm512_maskz_loadu_ps(mask, bias + first) : _mm512_setzero_ps();
        const __m512 s = scales ? _mm512_maskz_loadu_ps(mask, scales + first) : _mm512_set1_ps(1.0f);
        for (int r = 0; r < rows; r++) {
            char *row = output + r * output_row_bytes;
            __m512 y = _mm512_add_ps(sums[r][v], b);
            if (scales) y = _mm512_mul_ps(y, s);
            y = activate(y, activation);
            if (output_is_bf16) {
                unsigned short *target = (unsigned short *)row + first;
                if (accumulate) {
                    const __m256i old = _mm256_maskz_loadu_epi16(mask, target);
                    y = _mm512_add_ps(y, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(old), 16)));
                }
                _mm256_mask_storeu_epi16(target, mask, (__m256i)_mm512_cvtneps_pbh(y));
            } else {
                float *target = (float *)row + first;
                if (accumulate) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask, target));
                _mm512_mask_storeu_ps(target, mask, y);
            }
        }
    }
}

/// `gemm_tile` with the row count as a constant (so its sums stay in registers).
AVX512BF16 static void gemm_rows(int rows, const unsigned short *input, long input_stride, long pairs,
                                 const unsigned *panel, long column, long outputs, const float *bias,
                                 const float *scales, int activation, int accumulate, char *output,
                                 long output_row_bytes, int output_is_bf16) {
#define TILE(n) gemm_tile(n, input, input_stride, pairs, panel, column, outputs, bias, scales, activation, accumulate, \
                          output, output_row_bytes, output_is_bf16)
    switch (rows) {
    case 1: TILE(1); break;
    case 2: TILE(2); break;
    case 3: TILE(3); break;
    case 4: TILE(4); break;
    case 5: TILE(5); break;
    case 6: TILE(6); break;
    case 7: TILE(7); break;
    default: TILE(TILE_ROWS); break;
    }
#undef TILE
}

AVX512BF16 void clipseg_bf16_gemm(const unsigned short *input, long input_stride, long rows, long inputs,
                                  long outputs, const unsigned *packed, long first_panel, long end_panel,
                                  const float *bias, const float *scales, int activation, int accumulate,
                                  void *output, long output_stride, int output_is_bf16) {
    const long pairs = inputs / 2, width = CLIPSEG_BF16_PANEL_WIDTH;
    const long output_row_bytes = output_stride * (output_is_bf16 ? 2 : 4);
    // Panel by panel (its weights stay in L2 while every row passes), 8 rows at a time.
    for (long panel = first_panel; panel < end_panel; panel++) {
        const unsigned *weights = packed + panel * pairs * width;
        for (long row = 0; row < rows; row += TILE_ROWS) {
            const int count = rows - row < TILE_ROWS ? (int)(rows - row) : TILE_ROWS;
            gemm_rows(count, input + row * input_stride, input_stride, pairs, weights, panel * width, outputs, bias,
                      scales, activation, accumulate, (char *)output + row * output_row_bytes, output_row_bytes,
                      output_is_bf16);
        }
    }
}

AVX512BF16 void clipseg_bf16_round_rows(const float *input, long input_stride, long rows, long columns,
                                        unsigned short *output) {
    for (long row = 0; row < rows; row++) {
        const float *from = input + row * input_stride;
        unsigned short *to = output + row * columns;
        for (long j = 0; j < columns; j += 16) {
            const __mmask16 mask = first_lanes(columns - j);
            _mm256_mask_storeu_epi16(to + j, mask, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, from + j)));
        }
    }
}

#else

void clipseg_bf16_round_rows(const float *input, long input_stride, long rows, long columns, unsigned short *output) {
    (void)input; (void)input_stride; (void)rows; (void)columns; (void)output;
}
long clipseg_bf16_gemm_packed_words(long inputs, long outputs) { (void)inputs; (void)outputs; return 0; }
void clipseg_bf16_gemm_pack(const float *weight, long inputs, long outputs, unsigned *packed) {
    (void)weight; (void)inputs; (void)outputs; (void)packed;
}
void clipseg_bf16_gemm(const unsigned short *input, long input_stride, long rows, long inputs, long outputs,
                       const unsigned *packed, long first_panel, long end_panel, const float *bias,
                       const float *scales, int activation, int accumulate, void *output, long output_stride,
                       int output_is_bf16) {
    (void)input; (void)input_stride; (void)rows; (void)inputs; (void)outputs; (void)packed; (void)first_panel;
    (void)end_panel; (void)bias; (void)scales; (void)activation; (void)accumulate; (void)output; (void)output_stride;
    (void)output_is_bf16;
}

#endif
