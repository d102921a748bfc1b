// AVX-512F element-wise kernels; see include/vector_kernels.h. Each kernel is compiled for AVX-512
// through a `target` attribute, so this file builds with the package's baseline x86-64 flags and the
// kernels run only when `clipseg_isa_selected()` is CLIPSEG_ISA_AVX512.
#include "kernel_variants.h"

#include <math.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "vector_math.h"


AVX512 float clipseg_vk_exp_shifted_sum_avx512(float *line, long count) {
    __m512 m0 = _mm512_set1_ps(-INFINITY), m1 = m0;
    long j = 0;
    for (; j + 32 <= count; j += 32) {
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(line + j));
        m1 = _mm512_max_ps(m1, _mm512_loadu_ps(line + j + 16));
    }
    for (; j < count; j += 16) {
        m0 = _mm512_max_ps(m0, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), lanes(count - j), line + j));
    }
    const __m512 maximum = _mm512_set1_ps(_mm512_reduce_max_ps(_mm512_max_ps(m0, m1)));
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    for (j = 0; j + 32 <= count; j += 32) {
        const __m512 e0 = exp_lanes(_mm512_sub_ps(_mm512_loadu_ps(line + j), maximum));
        const __m512 e1 = exp_lanes(_mm512_sub_ps(_mm512_loadu_ps(line + j + 16), maximum));
        _mm512_storeu_ps(line + j, e0);
        _mm512_storeu_ps(line + j + 16, e1);
        s0 = _mm512_add_ps(s0, e0);
        s1 = _mm512_add_ps(s1, e1);
    }
    for (; j < count; j += 16) {
        const __mmask16 mask = lanes(count - j);
        const __m512 e = exp_lanes(_mm512_sub_ps(_mm512_maskz_loadu_ps(mask, line + j), maximum));
        _mm512_mask_storeu_ps(line + j, mask, e);
        s0 = _mm512_add_ps(s0, _mm512_maskz_mov_ps(mask, e));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

AVX512 void clipseg_vk_bias_activation_avx512(float *values, const float *bias, long rows, long columns, long stride,
                                       int activation) {
    for (long row = 0; row < rows; row++) {
        float *line = values + row * stride;
        for (long j = 0; j < columns; j += 16) {
            const __mmask16 mask = lanes(columns - j);
            __m512 x = _mm512_maskz_loadu_ps(mask, line + j);
            if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, bias + j));
            _mm512_mask_storeu_ps(line + j, mask, activate(x, activation));
        }
    }
}

AVX512 void clipseg_vk_fill_rows_avx512(float *values, const float *row, long rows, long columns, long stride) {
    for (long r = 0; r < rows; r++) {
        float *line = values + r * stride;
        for (long j = 0; j < columns; j += 16) {
            const __mmask16 mask = lanes(columns - j);
            _mm512_mask_storeu_ps(line + j, mask, _mm512_maskz_loadu_ps(mask, row + j));
        }
    }
}

AVX512 void clipseg_vk_divide_rows_avx512(float *values, const float *denominators, long rows, long columns, long stride) {
    for (long r = 0; r < rows; r++) {
        float *line = values + r * stride;
        const __m512 inverse = _mm512_set1_ps(1.0f / denominators[r]);
        for (long j = 0; j < columns; j += 16) {
            const __mmask16 mask = lanes(columns - j);
            _mm512_mask_storeu_ps(line + j, mask, _mm512_mul_ps(_mm512_maskz_loadu_ps(mask, line + j), inverse));
        }
    }
}

/// Mean and 1 / sqrt(variance + epsilon) of one row (two passes: mean, then mean squared deviation).
AVX512 static inline void row_statistics(const float *x, long size, float epsilon, float *mean, float *scale) {
    __m512 sum = _mm512_setzero_ps();
    for (long j = 0; j < size; j += 16) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(lanes(size - j), x + j));
    *mean = _mm512_reduce_add_ps(sum) / (float)size;
    const __m512 center = _mm512_set1_ps(*mean);
    __m512 squares = _mm512_setzero_ps();
    for (long j = 0; j < size; j += 16) {
        const __mmask16 mask = lanes(size - j);
        const __m512 d = _mm512_maskz_sub_ps(mask, _mm512_maskz_loadu_ps(mask, x + j), center);
        squares = _mm512_fmadd_ps(d, d, squares);
    }
    *scale = 1.0f / sqrtf(_mm512_reduce_add_ps(squares) / (float)size + epsilon);
}

/// Lanes `j ..< j + 16` (masked to the row) of one normalised row: (x · scale + shift) · gamma + beta.
AVX512 static inline __m512 normalized_lanes(const float *x, long j, __mmask16 mask, __m512 scales, __m512 shift,
                                            const float *gamma, const float *beta) {
    const __m512 normalized = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x + j), scales, shift);
    return _mm512_fmadd_ps(normalized, _mm512_maskz_loadu_ps(mask, gamma + j), _mm512_maskz_loadu_ps(mask, beta + j));
}

AVX512 void clipseg_vk_layer_norm_avx512(const float *input, long input_stride, float *output, long output_stride,
                                  long rows, long size, const float *gamma, const float *beta, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * input_stride;
        float *y = output + r * output_stride;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        const __m512 scales = _mm512_set1_ps(scale), shift = _mm512_set1_ps(-mean * scale);
        for (long j = 0; j < size; j += 16) {
            const __mmask16 mask = lanes(size - j);
            _mm512_mask_storeu_ps(y + j, mask, normalized_lanes(x, j, mask, scales, shift, gamma, beta));
        }
    }
}

AVX512 void clipseg_vk_layer_norm_bf16_avx512(const float *input, unsigned short *output, long rows, long size,
                                       const float *gamma, const float *beta, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * size;
        unsigned short *y = output + r * size;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        const __m512 scales = _mm512_set1_ps(scale), shift = _mm512_set1_ps(-mean * scale);
        for (long j = 0; j < size; j += 16) {
            const __mmask16 mask = lanes(size - j);
            // Round to nearest, ties to even: add 0x7FFF plus the lowest kept bit, keep the top 16 bits.
            const __m512i bits = _mm512_castps_si512(normalized_lanes(x, j, mask, scales, shift, gamma, beta));
            const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
            const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF))), 16);
            _mm512_mask_cvtepi32_storeu_epi16(y + j, mask, rounded);
        }
    }
}

#endif
