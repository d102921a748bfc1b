// Dense-layer GEMM over pre-packed weight panels: packing, the plain C build and the choice of build;
// see include/packed_gemm.h. The vector builds are packed_gemm_avx512.c and packed_gemm_avx2.c.
#include "packed_gemm.h"
#include "kernel_variants.h"
#include "vector_kernels.h"

#include <math.h>

long clipseg_pg_panel_floats(long outputs, long inputs) {
    return (outputs + CLIPSEG_PG_PANEL_WIDTH - 1) / CLIPSEG_PG_PANEL_WIDTH * CLIPSEG_PG_PANEL_WIDTH * inputs;
}

void clipseg_pg_pack(const float *weight, long outputs, long inputs, float *panels) {
    const long width = CLIPSEG_PG_PANEL_WIDTH, count = (outputs + width - 1) / width;
    for (long p = 0; p < count; p++) {
        float *panel = panels + p * inputs * width;
        for (long j = 0; j < width; j++) {
            const long column = p * width + j;
            const float *row = weight + column * inputs;
            for (long k = 0; k < inputs; k++) panel[k * width + j] = column < outputs ? row[k] : 0.0f;
        }
    }
}

void clipseg_pg_unpack(const float *panels, long outputs, long inputs, float *weight) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    for (long column = 0; column < outputs; column++) {
        const float *panel = panels + column / width * inputs * width + column % width;
        for (long k = 0; k < inputs; k++) weight[column * inputs + k] = panel[k * width];
    }
}

/// act(x) for the CLIPSEG_VK_* codes, in plain C.
static inline float activate_scalar(float x, int activation) {
    switch (activation) {
    case CLIPSEG_VK_RELU: return x > 0.0f ? x : 0.0f;
    case CLIPSEG_VK_QUICK_GELU: return x / (1.0f + expf(-1.702f * x));
    default: return x;
    }
}

void clipseg_pg_dense_portable(const float *input, long input_stride, long rows, long inputs, const float *panels,
                               long outputs, long panel_begin, long panel_end, const float *bias, float *output,
                               long output_stride, int activation, int accumulate) {
    const long width = CLIPSEG_PG_PANEL_WIDTH;
    for (long p = panel_begin; p < panel_end; p++) {
        const float *panel = panels + p * inputs * width;
        const long last = (p + 1) * width < outputs ? (p + 1) * width : outputs;
        for (long r = 0; r < rows; r++) {
            const float *x = input + r * input_stride;
            float *y = output + r * output_stride;
            for (long column = p * width; column < last; column++) {
                float sum = bias ? bias[column] : 0.0f;
                for (long k = 0; k < inputs; k++) sum += x[k] * panel[k * width + column - p * width];
                y[column] = accumulate ? y[column] + sum : activate_scalar(sum, activation);
            }
        }
    }
}

void clipseg_pg_dense(const float *input, long input_stride, long rows, long inputs,
                      const float *panels, long outputs, long panel_begin, long panel_end,
                      const float *bias, float *output, long output_stride, int activation, int accumulate) {
    switch (clipseg_isa_selected()) {
#if CLIPSEG_HAS_X86_KERNELS
    case CLIPSEG_ISA_AVX512:
        clipseg_pg_dense_avx512(input, input_stride, rows, inputs, panels, outputs, panel_begin, panel_end, bias, output,
                                output_stride, activation, accumulate);
        return;
    case CLIPSEG_ISA_AVX2:
        clipseg_pg_dense_avx2(input, input_stride, rows, inputs, panels, outputs, panel_begin, panel_end, bias, output,
                              output_stride, activation, accumulate);
        return;
#endif
    default:
        clipseg_pg_dense_portable(input, input_stride, rows, inputs, panels, outputs, panel_begin, panel_end, bias,
                                  output, output_stride, activation, accumulate);
    }
}
