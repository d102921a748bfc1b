// Per-lane AVX-512 helpers shared by the kernel files of this target (private header: not part of the
// module's interface). Every function is compiled for AVX-512 through the `AVX512` target attribute and
// may run only after `clipseg_vk_available()` said yes.
#ifndef CLIPSEG_VECTOR_MATH_H
#define CLIPSEG_VECTOR_MATH_H

#include "vector_kernels.h"
#include <immintrin.h>
#include <math.h>

#define AVX512 __attribute__((target("avx512f,fma")))

/// Lanes `0..<count` of a 16-lane vector (count ≤ 16).
AVX512 static inline __mmask16 lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/// e^x per lane: the Cephes polynomial TensorKit's `FastExponential` uses (x clamped to
/// [−87.34, 88.38], x = n·ln 2 + r with ln 2 split in two, degree-7 polynomial for e^r), with
/// fused multiply-adds and 2^n applied by `scalef`.
AVX512 static inline __m512 exp_lanes(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3365478515625f)), _mm512_set1_ps(88.3762626647949f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(y, n);
}

/// act(x) per lane for the codes in the header.
AVX512 static inline __m512 activate(__m512 x, int activation) {
    switch (activation) {
    case CLIPSEG_VK_RELU:
        return _mm512_max_ps(x, _mm512_setzero_ps());
    case CLIPSEG_VK_QUICK_GELU: {
        const __m512 e = exp_lanes(_mm512_mul_ps(x, _mm512_set1_ps(-1.702f)));
        return _mm512_div_ps(x, _mm512_add_ps(e, _mm512_set1_ps(1.0f)));
    }
    default:
        return x;
    }
}

#endif
