import CDNNL

/// Rounds float32 values to bf16 (nearest, ties to even) with oneDNN's JIT reorder: `count`
/// dense floats into `count` dense `UInt16` bit patterns. For callers that hold float32 data a
/// bf16 primitive should read. The caller owns both buffers.
///
/// `@unchecked Sendable` like `PackedLinearLayer`: a lock-guarded cache of immutable primitives,
/// one per (count, threads); each thread brings its own `ReducedPrecisionContext`.
final class BF16Conversion: @unchecked Sendable {
    private struct Key: Hashable {
        var count: Int, threadCount: Int
    }

    private final class Plan: @unchecked Sendable {
        let primitive: OneDNNPrimitive
        let source, destination: dnnl_memory_desc_t

        init(_ key: Key, engine: OneDNNEngine) throws {
            source = try MemoryDescriptor.tagged([key.count], type: dnnl_f32, tag: dnnl_a)
            destination = try MemoryDescriptor.tagged([key.count], type: dnnl_bf16, tag: dnnl_a)
            primitive = try PrimitiveDescriptor(reorderFrom: source, to: destination, attributes: nil, engine: engine,
                                                operation: "describing a conversion of \(key.count) values to bf16")
                .makePrimitive("creating a bf16 conversion")
        }
    }

    private let engine: OneDNNEngine
    private let plans = PlanCache<Key, Plan>()

    init() throws { engine = try OneDNNEngine.cpu() }

    /// `output[i] = bf16(input[i])` for `i < count`.
    func apply(_ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<UInt16>,
               context: ReducedPrecisionContext) throws {
        guard count > 0 else { return }
        context.applyThreadCount()
        let key = Key(count: count, threadCount: context.threadCount)
        let plan = try plans.plan(for: key) { try Plan(key, engine: engine) }
        let from = try OneDNNMemory(plan.source, engine: engine, pointer: UnsafeMutableRawPointer(mutating: input))
        let to = try OneDNNMemory(plan.destination, engine: engine, pointer: UnsafeMutableRawPointer(output))
        try withExtendedLifetime((from, to)) {
            try context.execute(plan.primitive.handle, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from.handle),
                                                        dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to.handle)],
                                "converting \(count) values to bf16")
        }
    }
}
