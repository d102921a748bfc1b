#ifndef CLIPSEG_COPENBLAS_SHIM_H
#define CLIPSEG_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, pkg-config `openblas`).
#include <cblas.h>

// OpenBLAS thread control; declared in cblas.h of OpenBLAS but wrapped here so callers
// do not depend on which BLAS header variant is installed.
static inline void clipseg_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int clipseg_blas_get_threads(void) { return openblas_get_num_threads(); }
#endif
