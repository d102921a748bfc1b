import CDNNL

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
