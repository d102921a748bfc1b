#ifndef CLIPSEG_PACKED_GEMM_H
#define CLIPSEG_PACKED_GEMM_H
// A dense layer's matrix product, y = act(x Wᵀ + b) (or y += x Wᵀ + b), with the weights packed once into
// column panels and the bias, activation or residual add applied while each output tile is still in
// registers. AVX-512F, compiled per function like vector_kernels.h: call the product only when
// `clipseg_vk_available()` returns 1 (packing and unpacking are plain C and run anywhere).
//
// Panel layout: output columns are cut into panels of CLIPSEG_PG_PANEL_WIDTH; panel p holds
// `inputs × CLIPSEG_PG_PANEL_WIDTH` floats, input index major (the panel's weights for input k are
// contiguous), zero-padded past the last output column. All pointers are caller-owned; nothing is
// retained or allocated. Panel storage should be 64-byte aligned.

#ifdef __cplusplus
extern "C" {
#endif

/// Output columns per weight panel.
enum { CLIPSEG_PG_PANEL_WIDTH = 48 };

/// Floats needed for the panels of a layer with `outputs` columns and `inputs` inputs.
long clipseg_pg_panel_floats(long outputs, long inputs);

/// Packs PyTorch's weight (`[outputs, inputs]` row-major) into panels (`clipseg_pg_panel_floats` floats).
void clipseg_pg_pack(const float *weight, long outputs, long inputs, float *panels);

/// Writes the packed weights back as PyTorch's `[outputs, inputs]` row-major layout.
void clipseg_pg_unpack(const float *panels, long outputs, long inputs, float *weight);

/// For output columns of panels `panel_begin ..< panel_end` (clipped to `outputs`) and every input row:
/// `output[r][j] = act(bias[j] + Σ_k input[r][k] · W[j][k])`, or with `accumulate` (activation must be
/// identity) `output[r][j] += bias[j] + Σ_k …`. `bias` may be NULL. Other columns of `output` are not
/// touched, so disjoint panel ranges can run on different threads. `activation` is a CLIPSEG_VK_* code.
void clipseg_pg_dense(const float *input, long input_stride, long rows, long inputs,
                      const float *panels, long outputs, long panel_begin, long panel_end,
                      const float *bias, float *output, long output_stride, int activation, int accumulate);

#ifdef __cplusplus
}
#endif
#endif
