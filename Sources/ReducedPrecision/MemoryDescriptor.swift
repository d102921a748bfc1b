import CDNNL

/// Builders for the oneDNN memory descriptors this module uses: tensors of up to 12 dimensions
/// (outermost first, as PyTorch orders them) with explicit strides in elements, or in a layout
/// a tag names (`dnnl_ab`, `dnnl_ba`: PyTorch's `[out, in]` weight seen as `[in, out]`, or
/// `dnnl_format_tag_any` for a primitive to choose its preferred blocked layout).
enum MemoryDescriptor {
    /// A row-major `[rows, columns]` matrix whose consecutive rows are `rowStride` elements apart.
    static func rowMajor(rows: Int, columns: Int, type: dnnl_data_type_t, rowStride: Int? = nil) throws
        -> dnnl_memory_desc_t {
        try strided([rows, columns], strides: [rowStride ?? columns, 1], type: type)
    }

    /// A tensor of `shape` whose index `i` steps `strides[i]` elements.
    static func strided(_ shape: [Int], strides: [Int], type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
        precondition(shape.count == strides.count && (1...Int(DNNL_MAX_NDIMS)).contains(shape.count),
                     "bad descriptor: shape \(shape), strides \(strides)")
        var desc = dnnl_memory_desc_t()
        try withDimensions(shape) { dims in
            try withDimensions(strides) { steps in
                try checkDNNL(dnnl_memory_desc_init_by_strides(&desc, Int32(shape.count), dims, type, steps),
                              "describing a \(shape) tensor with strides \(strides)")
            }
        }
        return desc
    }

    /// A tensor of `shape` in the layout `tag` names.
    static func tagged(_ shape: [Int], type: dnnl_data_type_t, tag: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
        precondition((1...Int(DNNL_MAX_NDIMS)).contains(shape.count), "bad descriptor shape \(shape)")
        var desc = dnnl_memory_desc_t()
        try withDimensions(shape) { dims in
            try checkDNNL(dnnl_memory_desc_init_by_tag(&desc, Int32(shape.count), dims, type, tag),
                          "describing a \(shape) tensor")
        }
        return desc
    }

    /// Whether two descriptors describe the same layout and type.
    static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    /// Bytes a buffer for `desc` needs.
    static func byteSize(_ desc: dnnl_memory_desc_t) -> Int {
        var desc = desc
        return Int(dnnl_memory_desc_get_size(&desc))
    }

    /// `body` given `values` as a `dnnl_dims_t` (a C array of 12, imported as a tuple; unused
    /// entries 0). The pointer covers the whole tuple, not a copy of its first element.
    private static func withDimensions<R>(_ values: [Int], _ body: (UnsafePointer<dnnl_dim_t>) throws -> R) rethrows -> R {
        var dims: dnnl_dims_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return try withUnsafeMutablePointer(to: &dims) { tuple in
            try tuple.withMemoryRebound(to: dnnl_dim_t.self, capacity: Int(DNNL_MAX_NDIMS)) { pointer in
                for (index, value) in values.enumerated() { pointer[index] = dnnl_dim_t(value) }
                return try body(pointer)
            }
        }
    }
}
