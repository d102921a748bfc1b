import COpenBLAS

/// Single-precision matrix products through OpenBLAS (`cblas_sgemm`), row-major throughout.
///
/// All matrices are row-major; `lda`/`ldb`/`ldc` are row strides in elements (default: the
/// matrix's own column count), so a head's slice of a wider projection can be used in place.
public enum MatrixMultiply {
    /// `C[m, n] = alpha * op(A) * op(B) + beta * C`, where `op(A)` is `[m, k]` and `op(B)` is `[k, n]`.
    ///
    /// - `transposeA`: `A` is stored as `[k, m]`; `transposeB`: `B` is stored as `[n, k]`.
    /// - `beta == 0` overwrites `C` (its previous contents may be garbage).
    @inlinable
    public static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty sum: C = beta * C.
            let stride = ldc ?? n
            for row in 0..<m {
                for column in 0..<n { c[row * stride + column] = beta == 0 ? 0 : beta * c[row * stride + column] }
            }
            return
        }
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        let ldc = ldc ?? n
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// `[m, k] × [k, n] → [m, n]` on tensors (row-major, no transposition).
    public static func product(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[0],
                     "cannot multiply \(a.shape) by \(b.shape)")
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var c = Tensor(shape: [m, n])
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                c.data.withUnsafeMutableBufferPointer { pc in
                    gemm(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, k: k)
                }
            }
        }
        return c
    }

    /// Number of threads OpenBLAS uses for one product (process-wide setting).
    public static var threadCount: Int {
        get { Int(clipseg_blas_get_threads()) }
        set { clipseg_blas_set_threads(Int32(max(1, newValue))) }
    }
}
