// AVX2 + FMA element-wise kernels; see include/vector_kernels.h. Each kernel is compiled for AVX2 and FMA
// through a `target` attribute, so this file builds with the package's baseline x86-64 flags and the
// kernels run only when `clipseg_isa_selected()` is CLIPSEG_ISA_AVX2. Row tails shorter than 8 lanes use
// masked loads and stores.
#include "kernel_variants.h"

#include <math.h>

#if CLIPSEG_HAS_X86_KERNELS
#include "vector_math_avx2.h"

AVX2 float clipseg_vk_exp_shifted_sum_avx2(float *line, long count) {
    const __m256 lowest = _mm256_set1_ps(-INFINITY);
    __m256 m0 = lowest, m1 = lowest;
    long j = 0;
    for (; j + 16 <= count; j += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(line + j));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(line + j + 8));
    }
    for (; j < count; j += 8) {
        const __m256i mask = lanes8(count - j);
        m0 = _mm256_max_ps(m0, _mm256_blendv_ps(lowest, _mm256_maskload_ps(line + j, mask), _mm256_castsi256_ps(mask)));
    }
    const __m256 maximum = _mm256_set1_ps(max8(_mm256_max_ps(m0, m1)));
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    for (j = 0; j + 16 <= count; j += 16) {
        const __m256 e0 = exp8(_mm256_sub_ps(_mm256_loadu_ps(line + j), maximum));
        const __m256 e1 = exp8(_mm256_sub_ps(_mm256_loadu_ps(line + j + 8), maximum));
        _mm256_storeu_ps(line + j, e0);
        _mm256_storeu_ps(line + j + 8, e1);
        s0 = _mm256_add_ps(s0, e0);
        s1 = _mm256_add_ps(s1, e1);
    }
    for (; j < count; j += 8) {
        const __m256i mask = lanes8(count - j);
        const __m256 e = exp8(_mm256_sub_ps(_mm256_maskload_ps(line + j, mask), maximum));
        _mm256_maskstore_ps(line + j, mask, e);
        s0 = _mm256_add_ps(s0, _mm256_and_ps(e, _mm256_castsi256_ps(mask)));
    }
    return sum8(_mm256_add_ps(s0, s1));
}

AVX2 void clipseg_vk_bias_activation_avx2(float *values, const float *bias, long rows, long columns, long stride,
                                          int activation) {
    for (long row = 0; row < rows; row++) {
        float *line = values + row * stride;
        long j = 0;
        for (; j + 8 <= columns; j += 8) {
            __m256 x = _mm256_loadu_ps(line + j);
            if (bias) x = _mm256_add_ps(x, _mm256_loadu_ps(bias + j));
            _mm256_storeu_ps(line + j, activate8(x, activation));
        }
        if (j < columns) {
            const __m256i mask = lanes8(columns - j);
            __m256 x = _mm256_maskload_ps(line + j, mask);
            if (bias) x = _mm256_add_ps(x, _mm256_maskload_ps(bias + j, mask));
            _mm256_maskstore_ps(line + j, mask, activate8(x, activation));
        }
    }
}

AVX2 void clipseg_vk_fill_rows_avx2(float *values, const float *row, long rows, long columns, long stride) {
    for (long r = 0; r < rows; r++) {
        float *line = values + r * stride;
        long j = 0;
        for (; j + 8 <= columns; j += 8) _mm256_storeu_ps(line + j, _mm256_loadu_ps(row + j));
        if (j < columns) {
            const __m256i mask = lanes8(columns - j);
            _mm256_maskstore_ps(line + j, mask, _mm256_maskload_ps(row + j, mask));
        }
    }
}

AVX2 void clipseg_vk_divide_rows_avx2(float *values, const float *denominators, long rows, long columns, long stride) {
    for (long r = 0; r < rows; r++) {
        float *line = values + r * stride;
        const __m256 inverse = _mm256_set1_ps(1.0f / denominators[r]);
        long j = 0;
        for (; j + 8 <= columns; j += 8) _mm256_storeu_ps(line + j, _mm256_mul_ps(_mm256_loadu_ps(line + j), inverse));
        if (j < columns) {
            const __m256i mask = lanes8(columns - j);
            _mm256_maskstore_ps(line + j, mask, _mm256_mul_ps(_mm256_maskload_ps(line + j, mask), inverse));
        }
    }
}

/// Mean and 1 / sqrt(variance + epsilon) of one row (two passes: mean, then mean squared deviation).
AVX2 static inline void row_statistics(const float *x, long size, float epsilon, float *mean, float *scale) {
    __m256 sum = _mm256_setzero_ps();
    for (long j = 0; j < size; j += 8) sum = _mm256_add_ps(sum, _mm256_maskload_ps(x + j, lanes8(size - j)));
    *mean = sum8(sum) / (float)size;
    const __m256 center = _mm256_set1_ps(*mean);
    __m256 squares = _mm256_setzero_ps();
    for (long j = 0; j < size; j += 8) {
        const __m256i mask = lanes8(size - j);
        const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + j, mask), center), _mm256_castsi256_ps(mask));
        squares = _mm256_fmadd_ps(d, d, squares);
    }
    *scale = 1.0f / sqrtf(sum8(squares) / (float)size + epsilon);
}

/// Lanes `j ..< j + 8` (masked to the row) of one normalised row: (x · scale + shift) · gamma + beta.
AVX2 static inline __m256 normalized_lanes(const float *x, long j, __m256i mask, __m256 scales, __m256 shift,
                                          const float *gamma, const float *beta) {
    const __m256 normalized = _mm256_fmadd_ps(_mm256_maskload_ps(x + j, mask), scales, shift);
    return _mm256_fmadd_ps(normalized, _mm256_maskload_ps(gamma + j, mask), _mm256_maskload_ps(beta + j, mask));
}

AVX2 void clipseg_vk_layer_norm_avx2(const float *input, long input_stride, float *output, long output_stride,
                                     long rows, long size, const float *gamma, const float *beta, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * input_stride;
        float *y = output + r * output_stride;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        const __m256 scales = _mm256_set1_ps(scale), shift = _mm256_set1_ps(-mean * scale);
        for (long j = 0; j < size; j += 8) {
            const __m256i mask = lanes8(size - j);
            const __m256 normalized = normalized_lanes(x, j, mask, scales, shift, gamma, beta);
            // Masked stores are slow on some cores: only the row's last, partial vector uses one.
            if (j + 8 <= size) _mm256_storeu_ps(y + j, normalized); else _mm256_maskstore_ps(y + j, mask, normalized);
        }
    }
}

AVX2 void clipseg_vk_layer_norm_bf16_avx2(const float *input, unsigned short *output, long rows, long size,
                                          const float *gamma, const float *beta, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * size;
        unsigned short *y = output + r * size;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        const __m256 scales = _mm256_set1_ps(scale), shift = _mm256_set1_ps(-mean * scale);
        for (long j = 0; j < size; j += 8) {
            const __m256i mask = lanes8(size - j);
            // Round to nearest, ties to even: add 0x7FFF plus the lowest kept bit, keep the top 16 bits.
            const __m256i bits = _mm256_castps_si256(normalized_lanes(x, j, mask, scales, shift, gamma, beta));
            const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
            const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7FFF))), 16);
            // Pack the eight 32-bit lanes to 16 bits (lanes 0-3 and 4-7 sit in the two 128-bit halves).
            const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(rounded, rounded), 0x08);
            if (j + 8 <= size) {
                _mm_storeu_si128((__m128i *)(y + j), _mm256_castsi256_si128(packed));
            } else {
                unsigned short lanes[8];
                _mm_storeu_si128((__m128i *)lanes, _mm256_castsi256_si128(packed));
                for (long k = 0; k < size - j; k++) y[j + k] = lanes[k];
            }
        }
    }
}

#endif
