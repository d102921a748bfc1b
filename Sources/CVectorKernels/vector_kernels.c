// Element-wise float32 kernels: the choice of build, and plain C builds for a selection without a vector
// family (a caller that reaches them anyway, other architectures); see include/vector_kernels.h.
// The vector builds are vector_kernels_avx512.c and vector_kernels_avx2.c.
#include "vector_kernels.h"
#include "kernel_variants.h"

#include <math.h>

int clipseg_vk_available(void) { return clipseg_isa_selected() != CLIPSEG_ISA_PORTABLE; }

#if CLIPSEG_HAS_X86_KERNELS
/// Returns `name_avx512(...)` or `name_avx2(...)` when that family is selected; falls through otherwise.
#define DISPATCH(name, ...) \
    switch (clipseg_isa_selected()) { \
    case CLIPSEG_ISA_AVX512: return name##_avx512(__VA_ARGS__); \
    case CLIPSEG_ISA_AVX2: return name##_avx2(__VA_ARGS__); \
    default: break; \
    }
#else
#define DISPATCH(name, ...)
#endif

float clipseg_vk_exp_shifted_sum(float *line, long count) {
    DISPATCH(clipseg_vk_exp_shifted_sum, line, count)
    float maximum = -INFINITY, sum = 0.0f;
    for (long j = 0; j < count; j++) maximum = line[j] > maximum ? line[j] : maximum;
    for (long j = 0; j < count; j++) sum += line[j] = expf(line[j] - maximum);
    return sum;
}

void clipseg_vk_bias_activation(float *values, const float *bias, long rows, long columns, long stride,
                                int activation) {
    DISPATCH(clipseg_vk_bias_activation, values, bias, rows, columns, stride, activation)
    for (long r = 0; r < rows; r++) {
        for (long j = 0; j < columns; j++) {
            float x = values[r * stride + j] + (bias ? bias[j] : 0.0f);
            if (activation == CLIPSEG_VK_RELU) x = x > 0.0f ? x : 0.0f;
            if (activation == CLIPSEG_VK_QUICK_GELU) x = x / (1.0f + expf(-1.702f * x));
            values[r * stride + j] = x;
        }
    }
}

void clipseg_vk_fill_rows(float *values, const float *row, long rows, long columns, long stride) {
    DISPATCH(clipseg_vk_fill_rows, values, row, rows, columns, stride)
    for (long r = 0; r < rows; r++) {
        for (long j = 0; j < columns; j++) values[r * stride + j] = row[j];
    }
}

void clipseg_vk_divide_rows(float *values, const float *denominators, long rows, long columns, long stride) {
    DISPATCH(clipseg_vk_divide_rows, values, denominators, rows, columns, stride)
    for (long r = 0; r < rows; r++) {
        const float inverse = 1.0f / denominators[r];
        for (long j = 0; j < columns; j++) values[r * stride + j] *= inverse;
    }
}

/// Mean and 1 / sqrt(variance + epsilon) of one row in plain C (two passes, as the vector builds).
static void row_statistics(const float *x, long size, float epsilon, float *mean, float *scale) {
    float sum = 0.0f, squares = 0.0f;
    for (long j = 0; j < size; j++) sum += x[j];
    *mean = sum / (float)size;
    for (long j = 0; j < size; j++) squares += (x[j] - *mean) * (x[j] - *mean);
    *scale = 1.0f / sqrtf(squares / (float)size + epsilon);
}

void clipseg_vk_layer_norm(const float *input, long input_stride, float *output, long output_stride,
                           long rows, long size, const float *gamma, const float *beta, float epsilon) {
    DISPATCH(clipseg_vk_layer_norm, input, input_stride, output, output_stride, rows, size, gamma, beta, epsilon)
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * input_stride;
        float *y = output + r * output_stride;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        for (long j = 0; j < size; j++) y[j] = (x[j] * scale - mean * scale) * gamma[j] + beta[j];
    }
}

void clipseg_vk_layer_norm_bf16(const float *input, unsigned short *output, long rows, long size,
                                const float *gamma, const float *beta, float epsilon) {
    DISPATCH(clipseg_vk_layer_norm_bf16, input, output, rows, size, gamma, beta, epsilon)
    for (long r = 0; r < rows; r++) {
        const float *x = input + r * size;
        float mean, scale;
        row_statistics(x, size, epsilon, &mean, &scale);
        for (long j = 0; j < size; j++) {
            union { float value; unsigned bits; } y = { (x[j] * scale - mean * scale) * gamma[j] + beta[j] };
            // Round to nearest, ties to even: add 0x7FFF plus the lowest kept bit, keep the top 16 bits.
            output[r * size + j] = (unsigned short)((y.bits + 0x7FFFu + ((y.bits >> 16) & 1u)) >> 16);
        }
    }
}
