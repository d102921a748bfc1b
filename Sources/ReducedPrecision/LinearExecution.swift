import CDNNL

/// One call of a `PackedLinearLayer`: wraps the caller's buffers and the context's scratch in
/// oneDNN memory objects (which borrow them for the duration of `run`), converts a float32
/// input (a bf16 one is read in place), and runs the matmul.
struct LinearExecution {
    let layer: PackedLinearLayer
    let plan: LinearPlan
    let context: ReducedPrecisionContext

    /// Converts `input` (`[rows, in]` in the plan's source type, row stride `inputStride`) if it
    /// is float32, and writes the layer's result, dense `[rows, out]` in the plan's destination
    /// type, to `destination`.
    func run(input: UnsafeRawPointer, rows: Int, inputStride: Int, destination: UnsafeMutableRawPointer) throws {
        let engine = context.engine
        let format = layer.recipe.format
        let source = try OneDNNMemory(plan.callerSource, engine: engine, pointer: UnsafeMutableRawPointer(mutating: input))
        let converted = plan.sourceConversion == nil ? source : try OneDNNMemory(
            plan.convertedSource, engine: engine,
            pointer: context.convertedInput.reserve(MemoryDescriptor.byteSize(plan.convertedSource)))
        let output = try OneDNNMemory(plan.destination, engine: engine, pointer: destination)
        var keepAlive = [source, converted, output]

        var conversionArguments = [argument(DNNL_ARG_FROM, source), argument(DNNL_ARG_TO, converted)]
        var matmulArguments = [argument(DNNL_ARG_SRC, converted), argument(DNNL_ARG_WEIGHTS, plan.weights),
                               argument(DNNL_ARG_DST, output)]
        if plan.scratchpadBytes > 0 {
            let scratchpad = try OneDNNMemory(plan.scratchpad, engine: engine,
                                              pointer: context.scratchpad.reserve(plan.scratchpadBytes))
            keepAlive.append(scratchpad)
            matmulArguments.append(argument(DNNL_ARG_SCRATCHPAD, scratchpad))
        }
        switch format {
        case .bf16:
            if let bias = layer.bias { matmulArguments.append(argument(DNNL_ARG_BIAS, bias)) }
        case .int8:
            let quantization = ActivationQuantization(input.assumingMemoryBound(to: Float.self), rows: rows,
                                                      columns: layer.inputSize, rowStride: inputStride)
            let inverseScale = try scalar(1 / quantization.scale, [1])
            let scale = try scalar(quantization.scale, [1, 1])
            let zeroPoint = try OneDNNMemory(MemoryDescriptor.tagged([1], type: dnnl_s32, tag: dnnl_a),
                                             engine: engine, pointer: nil)
            zeroPoint.dataPointer?.storeBytes(of: quantization.zeroPoint, as: Int32.self)
            keepAlive += [inverseScale, scale, zeroPoint]
            conversionArguments += [argument(DNNL_ARG_ATTR_OUTPUT_SCALES, inverseScale),
                                    argument(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST, zeroPoint)]
            matmulArguments += [argument(clipseg_dnnl_arg_src_zero_point, zeroPoint),
                                argument(clipseg_dnnl_arg_post_op_src1(LinearMatmulRecipe.activationScalePostOp), scale)]
            if let bias = layer.bias {
                matmulArguments.append(argument(clipseg_dnnl_arg_post_op_src1(LinearMatmulRecipe.biasPostOp), bias))
            }
        }
        try withExtendedLifetime(keepAlive) {
            if let conversion = plan.sourceConversion {
                try context.execute(conversion.handle, conversionArguments, "converting \(rows) rows to \(format.rawValue)")
            }
            try context.execute(plan.matmul.handle, matmulArguments, "running the \(format.rawValue) matmul")
        }
    }

    private func argument(_ index: Int32, _ memory: OneDNNMemory) -> dnnl_exec_arg_t {
        dnnl_exec_arg_t(arg: index, memory: memory.handle)
    }

    /// A float32 scalar memory of shape `shape` holding `value`.
    private func scalar(_ value: Float, _ shape: [Int]) throws -> OneDNNMemory {
        let memory = try OneDNNMemory(MemoryDescriptor.tagged(shape, type: dnnl_f32, tag: shape.count == 1 ? dnnl_a : dnnl_ab),
                                      engine: context.engine, pointer: nil)
        memory.dataPointer?.storeBytes(of: value, as: Float.self)
        return memory
    }
}
