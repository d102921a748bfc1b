import CDNNL
import TensorKit

/// A TensorKit `Activation` as the oneDNN eltwise post-op that computes it inside the matmul
/// (`quick_gelu` is oneDNN's swish with alpha 1.702: `x · sigmoid(1.702 x)`).
struct EltwisePostOp {
    let algorithm: dnnl_alg_kind_t
    let alpha: Float
    let beta: Float

    /// The post-op for `activation`, or nil for `.identity` (nothing to append).
    init?(_ activation: Activation) {
        switch activation {
        case .identity: return nil
        case .relu: self.init(algorithm: dnnl_eltwise_relu, alpha: 0, beta: 0)
        case .quickGELU: self.init(algorithm: dnnl_eltwise_swish, alpha: 1.702, beta: 0)
        case .gelu: self.init(algorithm: dnnl_eltwise_gelu_erf, alpha: 0, beta: 0)
        case .geluTanh: self.init(algorithm: dnnl_eltwise_gelu_tanh, alpha: 0, beta: 0)
        }
    }

    private init(algorithm: dnnl_alg_kind_t, alpha: Float, beta: Float) {
        self.algorithm = algorithm
        self.alpha = alpha
        self.beta = beta
    }

    /// Appends this operation to `postOps` (scale 1: the result is not rescaled).
    func append(to postOps: dnnl_post_ops_t) throws {
        try checkDNNL(dnnl_post_ops_append_eltwise(postOps, 1, algorithm, alpha, beta), "adding an eltwise post-op")
    }
}
