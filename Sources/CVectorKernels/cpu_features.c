// See include/cpu_features.h.
#include "cpu_features.h"

int clipseg_cpu_features(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return (__builtin_cpu_supports("avx512f") ? CLIPSEG_CPU_AVX512F : 0)
        | (__builtin_cpu_supports("avx512bf16") ? CLIPSEG_CPU_AVX512_BF16 : 0)
        | (__builtin_cpu_supports("avx512vnni") ? CLIPSEG_CPU_AVX512_VNNI : 0)
        | (__builtin_cpu_supports("avx2") ? CLIPSEG_CPU_AVX2 : 0)
        | (__builtin_cpu_supports("fma") ? CLIPSEG_CPU_FMA : 0);
#else
    return 0;
#endif
}
