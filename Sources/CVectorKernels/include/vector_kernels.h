#ifndef CLIPSEG_VECTOR_KERNELS_H
#define CLIPSEG_VECTOR_KERNELS_H
// Element-wise float32 kernels of the model (softmax, bias + activation, layer norm, row scaling)
// written with AVX-512F intrinsics and compiled for AVX-512 per function, so the package itself
// still builds for baseline x86-64. Call them only when `clipseg_vk_available()` returns 1; TensorKit
// keeps its portable Swift loops for every other CPU (and as the reference the tests compare with).
//
// All pointers are caller-owned; nothing is retained or allocated. Rows are `stride` floats apart.

// Which instruction-set extensions the CPU has (also for reports). Included here so a build whose clang
// module cache predates that header still sees it.
#include "cpu_features.h"

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU and OS run AVX-512F code (checked once), else 0; always 0 off x86-64.
int clipseg_vk_available(void);

/// Activation codes for `clipseg_vk_bias_activation`.
enum {
    CLIPSEG_VK_IDENTITY = 0,
    CLIPSEG_VK_RELU = 1,
    /// x · sigmoid(1.702 x), CLIP's `quick_gelu`.
    CLIPSEG_VK_QUICK_GELU = 2,
};

/// Replaces `count > 0` contiguous values x by exp(x − max x) and returns their sum.
float clipseg_vk_exp_shifted_sum(float *line, long count);

/// values[r][j] = act(values[r][j] + bias[j]) over `rows` rows of `columns` (bias may be NULL).
void clipseg_vk_bias_activation(float *values, const float *bias, long rows, long columns, long stride,
                                int activation);

/// values[r][j] = row[j]: the same `columns` values copied into every row.
void clipseg_vk_fill_rows(float *values, const float *row, long rows, long columns, long stride);

/// values[r][j] *= 1 / denominators[r].
void clipseg_vk_divide_rows(float *values, const float *denominators, long rows, long columns, long stride);

/// Layer norm of `rows` rows of `size` values: y = (x − mean) / sqrt(var + epsilon) · gamma + beta,
/// mean and (biased) variance per row in two passes. `input` and `output` may be the same rows.
void clipseg_vk_layer_norm(const float *input, long input_stride, float *output, long output_stride,
                           long rows, long size, const float *gamma, const float *beta, float epsilon);

/// The same layer norm of `rows` dense rows of `size` values, written as bf16 bit patterns (dense, rounded to
/// nearest, ties to even): the input of a bf16 matrix product, without a float32 write and a conversion pass.
void clipseg_vk_layer_norm_bf16(const float *input, unsigned short *output, long rows, long size,
                                const float *gamma, const float *beta, float epsilon);

#ifdef __cplusplus
}
#endif
#endif
