// Per-lane AVX2 + FMA helpers shared by the AVX2 kernel files of this target (private header: not part of
// the module's interface). Every function is compiled for AVX2 and FMA through the `AVX2` target attribute
// and may run only when `clipseg_isa_selected()` is CLIPSEG_ISA_AVX2 (or higher). Include it only inside
// `#if defined(__x86_64__)`.
#ifndef CLIPSEG_VECTOR_MATH_AVX2_H
#define CLIPSEG_VECTOR_MATH_AVX2_H

#include "vector_kernels.h"
#include <immintrin.h>
#include <math.h>

#define AVX2 __attribute__((target("avx2,fma")))

/// All-ones in lanes `0..<count` of an 8-lane mask (none for count ≤ 0, all for count ≥ 8), for
/// `_mm256_maskload_ps` / `_mm256_maskstore_ps`.
AVX2 static inline __m256i lanes8(long count) {
    const int n = count <= 0 ? 0 : count >= 8 ? 8 : (int)count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The largest of the 8 lanes.
AVX2 static inline float max8(__m256 x) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

/// The sum of the 8 lanes (pairwise: 4 + 4, 2 + 2, 1 + 1).
AVX2 static inline float sum8(__m256 x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/// e^x per lane: the Cephes polynomial of TensorKit's `FastExponential` and the AVX-512 `exp_lanes` (x clamped
/// to [−87.34, 88.38], x = n·ln 2 + r with ln 2 split in two, degree-7 polynomial for e^r, fused
/// multiply-adds), 2^n built in the exponent bits as `FastExponential` does.
AVX2 static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3365478515625f)), _mm256_set1_ps(88.3762626647949f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

/// act(x) per lane for the CLIPSEG_VK_* codes.
AVX2 static inline __m256 activate8(__m256 x, int activation) {
    switch (activation) {
    case CLIPSEG_VK_RELU:
        return _mm256_max_ps(x, _mm256_setzero_ps());
    case CLIPSEG_VK_QUICK_GELU: {
        const __m256 e = exp8(_mm256_mul_ps(x, _mm256_set1_ps(-1.702f)));
        return _mm256_div_ps(x, _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
    }
    default:
        return x;
    }
}

#endif
