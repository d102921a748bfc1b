// The per-family builds behind the dispatching kernels of this target (private header: not part of the
// module's interface). `clipseg_pg_dense`, `clipseg_attention_head` and `clipseg_vk_*` call the build of the
// family `clipseg_isa_selected()` names; the `_avx512` and `_avx2` builds exist on x86-64 only and run only
// when that family is selected (which `clipseg_isa_select` allows only on CPUs that have it).
#ifndef CLIPSEG_KERNEL_VARIANTS_H
#define CLIPSEG_KERNEL_VARIANTS_H

#include "cpu_features.h"

/// Declares `name_avx512` and `name_avx2` with the parameter list that follows.
#define CLIPSEG_VARIANTS(type, name, ...) \
    type name##_avx512(__VA_ARGS__); \
    type name##_avx2(__VA_ARGS__);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CLIPSEG_HAS_X86_KERNELS 1

CLIPSEG_VARIANTS(void, clipseg_pg_dense, const float *input, long input_stride, long rows, long inputs,
                 const float *panels, long outputs, long panel_begin, long panel_end, const float *bias,
                 float *output, long output_stride, int activation, int accumulate)
CLIPSEG_VARIANTS(void, clipseg_attention_head, const float *query, const float *key, const float *value, long stride,
                 long tokens, long head_dim, float scale, int causal, float *output, long output_stride, float *scratch)
CLIPSEG_VARIANTS(float, clipseg_vk_exp_shifted_sum, float *line, long count)
CLIPSEG_VARIANTS(void, clipseg_vk_bias_activation, float *values, const float *bias, long rows, long columns,
                 long stride, int activation)
CLIPSEG_VARIANTS(void, clipseg_vk_fill_rows, float *values, const float *row, long rows, long columns, long stride)
CLIPSEG_VARIANTS(void, clipseg_vk_divide_rows, float *values, const float *denominators, long rows, long columns,
                 long stride)
CLIPSEG_VARIANTS(void, clipseg_vk_layer_norm, const float *input, long input_stride, float *output,
                 long output_stride, long rows, long size, const float *gamma, const float *beta, float epsilon)
CLIPSEG_VARIANTS(void, clipseg_vk_layer_norm_bf16, const float *input, unsigned short *output, long rows, long size,
                 const float *gamma, const float *beta, float epsilon)

#endif

/// Plain C builds (any CPU; what a family-less selection runs when a caller reaches the kernels anyway).
void clipseg_pg_dense_portable(const float *input, long input_stride, long rows, long inputs, const float *panels,
                               long outputs, long panel_begin, long panel_end, const float *bias, float *output,
                               long output_stride, int activation, int accumulate);

#endif
