import CDNNL

/// A primitive descriptor, destroyed with this value.
final class PrimitiveDescriptor {
    let handle: dnnl_primitive_desc_t

    /// A matmul descriptor for `source × weights (+ bias) → destination` under `attributes`.
    init(matmulSource source: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, bias: dnnl_memory_desc_t?,
         destination: dnnl_memory_desc_t, attributes: PrimitiveAttributes, engine: OneDNNEngine,
         operation: @autoclosure () -> String) throws {
        var source = source, weights = weights, destination = destination
        var description = dnnl_matmul_desc_t()
        if var bias {
            try checkDNNL(dnnl_matmul_desc_init(&description, &source, &weights, &bias, &destination), operation())
        } else {
            try checkDNNL(dnnl_matmul_desc_init(&description, &source, &weights, nil, &destination), operation())
        }
        var pd: dnnl_primitive_desc_t?
        try checkDNNL(dnnl_primitive_desc_create(&pd, &description, attributes.handle, engine.handle, nil), operation())
        guard let pd else { throw OneDNNError(operation: operation(), status: "no primitive descriptor") }
        handle = pd
    }

    /// A reorder descriptor converting `source` into `destination` under `attributes`.
    init(reorderFrom source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t,
         attributes: PrimitiveAttributes?, engine: OneDNNEngine, operation: @autoclosure () -> String) throws {
        var source = source, destination = destination
        var pd: dnnl_primitive_desc_t?
        try checkDNNL(dnnl_reorder_primitive_desc_create(&pd, &source, engine.handle, &destination, engine.handle,
                                                         attributes?.handle), operation())
        guard let pd else { throw OneDNNError(operation: operation(), status: "no primitive descriptor") }
        handle = pd
    }

    /// Takes ownership of a descriptor created elsewhere (e.g. a softmax).
    init(handle: dnnl_primitive_desc_t) { self.handle = handle }

    /// The memory descriptor the primitive chose for `query` (`dnnl_query_weights_md`, ...).
    func memoryDescriptor(_ query: dnnl_query_t) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(handle, query, 0)?.pointee ?? dnnl_memory_desc_t()
    }

    /// oneDNN's name for the implementation it picked.
    var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(handle, dnnl_query_impl_info_str, 0, &name) == dnnl_success,
              let name else { return "unknown" }
        return String(cString: name)
    }

    /// The primitive this descriptor describes (JIT-compiled now, or taken from oneDNN's cache).
    func makePrimitive(_ operation: @autoclosure () -> String) throws -> OneDNNPrimitive {
        var primitive: dnnl_primitive_t?
        try checkDNNL(dnnl_primitive_create(&primitive, handle), operation())
        guard let primitive else { throw OneDNNError(operation: operation(), status: "no primitive") }
        return OneDNNPrimitive(handle: primitive)
    }

    deinit { dnnl_primitive_desc_destroy(handle) }
}

/// A oneDNN primitive (compiled kernel), destroyed with this value. Immutable once created.
final class OneDNNPrimitive: @unchecked Sendable {
    let handle: dnnl_primitive_t

    init(handle: dnnl_primitive_t) { self.handle = handle }

    deinit { dnnl_primitive_destroy(handle) }
}
