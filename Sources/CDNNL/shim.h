#ifndef CLIPSEG_CDNNL_SHIM_H
#define CLIPSEG_CDNNL_SHIM_H
// oneDNN 2.x C API (Debian: libdnnl-dev 2.6, no pkg-config file; headers in /usr/include,
// library libdnnl.so). Debian builds oneDNN with the OpenMP (GNU libgomp) CPU runtime:
// its thread count is OpenMP's, set per calling thread with omp_set_num_threads.
#include <dnnl.h>
#include <dnnl_debug.h>
#include <stddef.h>
#include <stdint.h>

// OpenMP's thread controls, declared here rather than through <omp.h> (which lives in GCC's
// private include folder, not on clang's search path). libgomp is what libdnnl links to.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);

/// Sets the OpenMP thread count for parallel regions started by the CALLING thread
/// (OpenMP's nthreads-var is per thread); oneDNN primitives executed on this thread use it.
static inline void clipseg_dnnl_set_threads(int n) { omp_set_num_threads(n); }
/// The OpenMP thread count parallel regions started by the calling thread would use.
static inline int clipseg_dnnl_get_threads(void) { return omp_get_max_threads(); }

// Macros Swift cannot import, wrapped.
/// DNNL_RUNTIME_F32_VAL: a float value supplied at execution time.
static inline float clipseg_dnnl_runtime_f32(void) { return DNNL_RUNTIME_F32_VAL; }
/// DNNL_RUNTIME_S32_VAL: an int32 value supplied at execution time.
static inline int32_t clipseg_dnnl_runtime_s32(void) { return DNNL_RUNTIME_S32_VAL; }
/// DNNL_MEMORY_ALLOCATE: ask dnnl_memory_create to allocate the buffer itself.
static inline void *clipseg_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
/// DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1: the second operand of a binary post-op.
static inline int clipseg_dnnl_arg_post_op_src1(int index) {
    return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1;
}
/// DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC: the source zero point supplied at execution time.
static const int clipseg_dnnl_arg_src_zero_point = DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC;
#endif
