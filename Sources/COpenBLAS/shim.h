#ifndef CLIPSEG_COPENBLAS_SHIM_H
#define CLIPSEG_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, pkg-config `openblas`).
#include <cblas.h>

// OpenBLAS thread control; declared in cblas.h of OpenBLAS but wrapped here so callers
// do not depend on which BLAS header variant is installed.
static inline void clipseg_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int clipseg_blas_get_threads(void) { return openblas_get_num_threads(); }

// The kernel family OpenBLAS chose at load time (e.g. "Haswell", "SkylakeX"; with DYNAMIC_ARCH it
// reads OPENBLAS_CORETYPE once, in its library constructor) and its build configuration string.
static inline const char *clipseg_blas_core_name(void) { return openblas_get_corename(); }
static inline const char *clipseg_blas_configuration(void) { return openblas_get_config(); }

// 1 when the CPU and the operating system support the AVX-512 subsets OpenBLAS's SkylakeX kernels
// use (F, BW, DQ, VL; ZMM state enabled by the OS), else 0.
static inline int clipseg_cpu_has_avx512_skylakex_subset(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}
#endif
