// See include/cpu_features.h.
#include "cpu_features.h"

int clipseg_cpu_features(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return (__builtin_cpu_supports("avx512f") ? CLIPSEG_CPU_AVX512F : 0)
        | (__builtin_cpu_supports("avx512bf16") ? CLIPSEG_CPU_AVX512_BF16 : 0)
        | (__builtin_cpu_supports("avx512vnni") ? CLIPSEG_CPU_AVX512_VNNI : 0)
        | (__builtin_cpu_supports("avx2") ? CLIPSEG_CPU_AVX2 : 0)
        | (__builtin_cpu_supports("fma") ? CLIPSEG_CPU_FMA : 0)
        | (__builtin_cpu_supports("avxvnni") ? CLIPSEG_CPU_AVX_VNNI : 0);
#else
    return 0;
#endif
}

int clipseg_isa_supported(void) {
    static int answer = -1;
    int known = __atomic_load_n(&answer, __ATOMIC_RELAXED);
    if (known < 0) {
        const int features = clipseg_cpu_features();
        const int fma = features & CLIPSEG_CPU_FMA;
        known = fma && (features & CLIPSEG_CPU_AVX512F) ? CLIPSEG_ISA_AVX512
              : fma && (features & CLIPSEG_CPU_AVX2) ? CLIPSEG_ISA_AVX2 : CLIPSEG_ISA_PORTABLE;
        __atomic_store_n(&answer, known, __ATOMIC_RELAXED);
    }
    return known;
}

/// -1 until chosen: then `clipseg_isa_selected` answers `clipseg_isa_supported()`.
static int selected = -1;

int clipseg_isa_selected(void) {
    const int isa = __atomic_load_n(&selected, __ATOMIC_RELAXED);
    return isa < 0 ? clipseg_isa_supported() : isa;
}

int clipseg_isa_select(int isa) {
    const int supported = clipseg_isa_supported();
    const int chosen = isa < CLIPSEG_ISA_PORTABLE ? CLIPSEG_ISA_PORTABLE : isa > supported ? supported : isa;
    __atomic_store_n(&selected, chosen, __ATOMIC_RELAXED);
    return chosen;
}
