import CDNNL

/// Row softmax of float32 values by oneDNN's JIT kernel: `[rows, columns]`, dense, in place or
/// into a bf16 matrix of the same shape (the probabilities a bf16 `P V` product reads; same
/// speed as float32 output). Measured ≈ 10× TensorKit's scalar `Softmax` on attention scores
/// (12 × 485 rows of 485: 1.2 ms against 12–17 ms on one thread). No mask: for causal attention
/// use TensorKit's.
///
/// `@unchecked Sendable` like `PackedLinearLayer`: a lock-guarded cache of immutable primitives,
/// one per (rows, columns, threads, output type); each thread brings its own `ReducedPrecisionContext`.
public final class OneDNNSoftmax: @unchecked Sendable {
    private struct Key: Hashable {
        var rows: Int, columns: Int, threadCount: Int, output: ActivationType
    }

    private final class Plan: @unchecked Sendable {
        let primitive: OneDNNPrimitive
        let source, destination: dnnl_memory_desc_t
        let scratchpad: dnnl_memory_desc_t

        init(_ key: Key, engine: OneDNNEngine) throws {
            source = try MemoryDescriptor.tagged([key.rows, key.columns], type: dnnl_f32, tag: dnnl_ab)
            destination = try MemoryDescriptor.tagged([key.rows, key.columns], type: key.output.dnnlType, tag: dnnl_ab)
            var description = dnnl_softmax_v2_desc_t()
            var from = source, to = destination
            try checkDNNL(dnnl_softmax_v2_forward_desc_init(&description, dnnl_forward_inference, dnnl_softmax_accurate,
                                                            &from, &to, 1),
                          "describing a softmax over \(key.rows) rows of \(key.columns)")
            let attributes = try PrimitiveAttributes()
            var handle: dnnl_primitive_desc_t?
            try checkDNNL(dnnl_primitive_desc_create(&handle, &description, attributes.handle, engine.handle, nil),
                          "creating a softmax over \(key.rows) rows of \(key.columns)")
            guard let handle else { throw OneDNNError(operation: "creating a softmax", status: "no primitive descriptor") }
            let descriptor = PrimitiveDescriptor(handle: handle)
            scratchpad = descriptor.memoryDescriptor(dnnl_query_scratchpad_md)
            primitive = try descriptor.makePrimitive("creating a softmax")
        }
    }

    private let engine: OneDNNEngine
    private let plans = PlanCache<Key, Plan>()

    public init() throws { engine = try OneDNNEngine.cpu() }

    /// Replaces each of the `rows` rows of `values` (`columns` floats each, dense) by its softmax.
    public func apply(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                      context: ReducedPrecisionContext) throws {
        try run(values, rows: rows, columns: columns, into: UnsafeMutableRawPointer(values), output: .float32,
                context: context)
    }

    /// Writes the softmax of each of the `rows` rows of `values` (`columns` floats each, dense)
    /// to `output` (`[rows, columns]` bf16, dense), leaving `values` as it was.
    public func apply(_ values: UnsafePointer<Float>, rows: Int, columns: Int,
                      intoBF16 output: UnsafeMutablePointer<UInt16>, context: ReducedPrecisionContext) throws {
        try run(values, rows: rows, columns: columns, into: UnsafeMutableRawPointer(output), output: .bf16,
                context: context)
    }

    private func run(_ values: UnsafePointer<Float>, rows: Int, columns: Int, into target: UnsafeMutableRawPointer,
                     output: ActivationType, context: ReducedPrecisionContext) throws {
        guard rows > 0, columns > 0 else { return }
        context.applyThreadCount()
        let key = Key(rows: rows, columns: columns, threadCount: context.threadCount, output: output)
        let plan = try plans.plan(for: key) { try Plan(key, engine: engine) }
        let source = try OneDNNMemory(plan.source, engine: engine, pointer: UnsafeMutableRawPointer(mutating: values))
        let destination = try OneDNNMemory(plan.destination, engine: engine, pointer: target)
        let bytes = MemoryDescriptor.byteSize(plan.scratchpad)
        let scratchpad = bytes > 0
            ? try OneDNNMemory(plan.scratchpad, engine: engine, pointer: context.scratchpad.reserve(bytes)) : nil
        var arguments = [dnnl_exec_arg_t(arg: DNNL_ARG_SRC, memory: source.handle),
                         dnnl_exec_arg_t(arg: DNNL_ARG_DST, memory: destination.handle)]
        if let scratchpad { arguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad.handle)) }
        try withExtendedLifetime((source, destination, scratchpad)) {
            try context.execute(plan.primitive.handle, arguments, "running a softmax")
        }
    }
}
