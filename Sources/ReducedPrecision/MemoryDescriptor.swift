import CDNNL

/// Builders for the oneDNN memory descriptors this module uses: 2-D matrices, row-major
/// (`[rows, columns]`, optional row stride), column-major (`ba`: PyTorch's `[out, in]` weight
/// seen as `[in, out]`), or "any" for a primitive to choose its preferred blocked layout.
enum MemoryDescriptor {
    /// A row-major `[rows, columns]` matrix whose consecutive rows are `rowStride` elements apart.
    static func rowMajor(rows: Int, columns: Int, type: dnnl_data_type_t, rowStride: Int? = nil) throws
        -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        let dims = dimensions(rows, columns), strides = dimensions(rowStride ?? columns, 1)
        try withDimensions(dims) { dimsPointer in
            try withDimensions(strides) { stridesPointer in
                try checkDNNL(dnnl_memory_desc_init_by_strides(&desc, 2, dimsPointer, type, stridesPointer),
                              "describing a \(rows)×\(columns) matrix")
            }
        }
        return desc
    }

    /// A `[rows, columns]` matrix in the layout `tag` names (`dnnl_ab`, `dnnl_ba`, `dnnl_format_tag_any`, `dnnl_a`).
    static func tagged(_ shape: [Int], type: dnnl_data_type_t, tag: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
        precondition((1...2).contains(shape.count), "only 1-D and 2-D descriptors are built here")
        var desc = dnnl_memory_desc_t()
        try withDimensions(dimensions(shape[0], shape.count > 1 ? shape[1] : 0)) { dimsPointer in
            try checkDNNL(dnnl_memory_desc_init_by_tag(&desc, Int32(shape.count), dimsPointer, type, tag),
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

    private static func dimensions(_ first: Int, _ second: Int) -> dnnl_dims_t {
        (dnnl_dim_t(first), dnnl_dim_t(second), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// `body` given a pointer to all of `dims` (a C array imported as a tuple). A pointer to the
    /// tuple's first element alone would not do: it may point at a copy of that one element.
    private static func withDimensions<R>(_ dims: dnnl_dims_t, _ body: (UnsafePointer<dnnl_dim_t>) throws -> R) rethrows -> R {
        var dims = dims
        return try withUnsafePointer(to: &dims) { tuple in
            try tuple.withMemoryRebound(to: dnnl_dim_t.self, capacity: Int(DNNL_MAX_NDIMS)) { try body($0) }
        }
    }
}

/// A oneDNN memory object, destroyed with this value. The buffer is either the caller's
/// (`pointer`, borrowed: the caller keeps it alive while the memory is used) or allocated and
/// owned by oneDNN (`pointer == nil`).
final class OneDNNMemory {
    let handle: dnnl_memory_t
    let descriptor: dnnl_memory_desc_t

    init(_ descriptor: dnnl_memory_desc_t, engine: OneDNNEngine, pointer: UnsafeMutableRawPointer?) throws {
        var desc = descriptor
        var memory: dnnl_memory_t?
        try checkDNNL(dnnl_memory_create(&memory, &desc, engine.handle, pointer ?? clipseg_dnnl_memory_allocate()),
                      "creating a memory object")
        guard let memory else { throw OneDNNError(operation: "creating a memory object", status: "no object") }
        self.handle = memory
        self.descriptor = descriptor
    }

    /// The buffer's address.
    var dataPointer: UnsafeMutableRawPointer? {
        var pointer: UnsafeMutableRawPointer?
        _ = dnnl_memory_get_data_handle(handle, &pointer)
        return pointer
    }

    deinit { dnnl_memory_destroy(handle) }
}
