// The x86 instruction-set extensions this package's kernels (and the libraries it uses) choose between,
// as the CPU and the operating system report them: cpuid, plus XCR0 for the AVX and AVX-512 register state;
// and the kernel family the dispatching kernels of this target run (TensorKit's `KernelISA` chooses it).
#ifndef CLIPSEG_CPU_FEATURES_H
#define CLIPSEG_CPU_FEATURES_H

#define CLIPSEG_CPU_AVX512F 1
#define CLIPSEG_CPU_AVX512_BF16 2
#define CLIPSEG_CPU_AVX512_VNNI 4
#define CLIPSEG_CPU_AVX2 8
#define CLIPSEG_CPU_FMA 16
#define CLIPSEG_CPU_AVX_VNNI 32

#ifdef __cplusplus
extern "C" {
#endif

/// The CLIPSEG_CPU_* bits of the extensions this CPU supports (0 on other architectures).
int clipseg_cpu_features(void);

/// Kernel families, in increasing order of what they need: plain C / Swift (any CPU), AVX2 + FMA,
/// AVX-512F + FMA.
enum { CLIPSEG_ISA_PORTABLE = 0, CLIPSEG_ISA_AVX2 = 1, CLIPSEG_ISA_AVX512 = 2 };

/// The most capable family this CPU and OS run (CLIPSEG_ISA_PORTABLE off x86-64).
int clipseg_isa_supported(void);

/// The family the dispatching kernels (`clipseg_pg_dense`, `clipseg_attention_head`, `clipseg_vk_*`) run
/// now: `clipseg_isa_supported()` until `clipseg_isa_select` is called. Read atomically on every call.
int clipseg_isa_selected(void);

/// Selects `isa` for the dispatching kernels, lowered to `clipseg_isa_supported()` (a family this CPU
/// cannot run is never selected, so no kernel can fault on an illegal instruction). Returns the family
/// now selected.
int clipseg_isa_select(int isa);

#ifdef __cplusplus
}
#endif
#endif
