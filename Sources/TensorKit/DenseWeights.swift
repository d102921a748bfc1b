import CVectorKernels

/// The weight matrix of a `DenseLayer`, stored once in the layout its product reads, in memory it
/// owns (64-byte aligned, freed with it). Immutable after construction, so shared freely across threads.
///
/// - `.panels`: `clipseg_pg_pack`'s column panels (48 output columns each, input-major inside a panel,
///   zero-padded), read by the AVX-512 or AVX2 packed GEMM with nothing repacked per call.
/// - `.transposed`: `[inputs, outputs]` row-major, PyTorch's weight transposed, for `cblas_sgemm`
///   (`KernelISA.portable`: CPUs without AVX2 and FMA, or `CLIPSEG_ISA=portable`).
public final class DenseWeights: @unchecked Sendable {
    /// How the values are laid out.
    public enum Layout: Sendable {
        case panels
        case transposed

        /// Panels with the AVX-512 family, else the BLAS layout. The AVX2 packed GEMM (`CLIPSEG_ISA=avx2` still
        /// runs it where a layer is made with `.panels`) reaches 87 GFLOP/s a core on a Zen 3 EPYC where
        /// OpenBLAS's Haswell kernel reaches 91, and a full-size frame took 533/562 ms against OpenBLAS's 500/538
        /// (two alternations, 2 threads): until it wins, AVX2 CPUs multiply through OpenBLAS and keep the AVX2
        /// attention and element-wise kernels.
        public static var preferred: Layout { KernelISA.current == .avx512 ? .panels : .transposed }
    }

    public let layout: Layout
    public let inputs: Int
    public let outputs: Int
    /// The stored values (`count` floats).
    let values: UnsafeMutablePointer<Float>
    let count: Int

    /// Packs PyTorch's weight (`[outputs, inputs]` row-major) into `layout`.
    public init(pytorchWeight: UnsafeBufferPointer<Float>, inputs: Int, outputs: Int, layout: Layout) {
        precondition(pytorchWeight.count == inputs * outputs,
                     "Linear weight has \(pytorchWeight.count) values, expected \(outputs)×\(inputs)")
        self.layout = layout
        self.inputs = inputs
        self.outputs = outputs
        count = Self.floatCount(inputs: inputs, outputs: outputs, layout: layout)
        values = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        guard count > 0 else { return }
        switch layout {
        case .panels:
            clipseg_pg_pack(pytorchWeight.baseAddress!, outputs, inputs, values)
        case .transposed:
            let source = pytorchWeight.baseAddress!
            MatrixTranspose.transpose(source, rows: outputs, columns: inputs, into: values)
        }
    }

    deinit { values.deallocate() }

    /// Floats a matrix of `inputs × outputs` takes in `layout` (panels are zero-padded to whole panels).
    public static func floatCount(inputs: Int, outputs: Int, layout: Layout) -> Int {
        layout == .panels ? clipseg_pg_panel_floats(outputs, inputs) : inputs * outputs
    }

    /// PyTorch's layout, `[outputs, inputs]` row-major (a new array on every call).
    public func pytorchLayout() -> [Float] {
        [Float](unsafeUninitializedCapacity: inputs * outputs) { out, initialized in
            if inputs * outputs > 0 {
                switch layout {
                case .panels: clipseg_pg_unpack(values, outputs, inputs, out.baseAddress!)
                case .transposed: MatrixTranspose.transpose(values, rows: inputs, columns: outputs, into: out.baseAddress!)
                }
            }
            initialized = inputs * outputs
        }
    }
}
