import CDNNL

extension ReducedPrecisionContext {
    /// Runs `steps` (primitives with their arguments) in order on this context's stream, each also
    /// given the context's scratchpad wrapped as `scratchpad` (the largest any step needs; `bytes` 0
    /// when none does). The memory objects in `steps` borrow their caller's buffers for the call.
    func run(_ steps: [(OneDNNPrimitive, [(Int32, OneDNNMemory)])], scratchpad: dnnl_memory_desc_t, bytes: Int,
             _ operation: @autoclosure () -> String) throws {
        let memory = bytes > 0 ? try OneDNNMemory(scratchpad, engine: engine, pointer: self.scratchpad.reserve(bytes)) : nil
        for (primitive, arguments) in steps {
            var list = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
            if let memory { list.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory.handle)) }
            try withExtendedLifetime((arguments, memory)) {
                try execute(primitive.handle, list, operation())
            }
        }
    }
}
