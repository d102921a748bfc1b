// The x86 instruction-set extensions this package's kernels (and the libraries it uses) choose between,
// as the CPU and the operating system report them: cpuid, plus XCR0 for the AVX and AVX-512 register state.
#ifndef CLIPSEG_CPU_FEATURES_H
#define CLIPSEG_CPU_FEATURES_H

#define CLIPSEG_CPU_AVX512F 1
#define CLIPSEG_CPU_AVX512_BF16 2
#define CLIPSEG_CPU_AVX512_VNNI 4
#define CLIPSEG_CPU_AVX2 8
#define CLIPSEG_CPU_FMA 16

/// The CLIPSEG_CPU_* bits of the extensions this CPU supports (0 on other architectures).
int clipseg_cpu_features(void);

#endif
