import CDNNL

/// Primitive attributes (scratchpad mode, scales, zero points, post-ops), destroyed with this value.
final class PrimitiveAttributes {
    let handle: dnnl_primitive_attr_t

    /// Attributes with a user-provided scratchpad (so concurrent calls never share oneDNN's).
    init() throws {
        var attributes: dnnl_primitive_attr_t?
        try checkDNNL(dnnl_primitive_attr_create(&attributes), "creating primitive attributes")
        guard let attributes else { throw OneDNNError(operation: "creating primitive attributes", status: "none") }
        handle = attributes
        try checkDNNL(dnnl_primitive_attr_set_scratchpad_mode(handle, dnnl_scratchpad_mode_user), "setting the scratchpad mode")
    }

    /// Sets the post-op chain built by `build`.
    func setPostOps(_ build: (dnnl_post_ops_t) throws -> Void) throws {
        var postOps: dnnl_post_ops_t?
        try checkDNNL(dnnl_post_ops_create(&postOps), "creating post-ops")
        guard let postOps else { throw OneDNNError(operation: "creating post-ops", status: "none") }
        defer { dnnl_post_ops_destroy(postOps) }
        try build(postOps)
        try checkDNNL(dnnl_primitive_attr_set_post_ops(handle, postOps), "setting post-ops")
    }

    deinit { dnnl_primitive_attr_destroy(handle) }
}
