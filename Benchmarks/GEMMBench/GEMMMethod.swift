import ReducedPrecision
import TensorKit

/// One way of computing a layer shape, ready to run repeatedly on fixed random data.
struct GEMMMethod {
    let name: String
    let run: () throws -> Void

    static let names = ["sgemm", "fp32 layer", "bf16 layer", "int8 layer"]

    /// Raw OpenBLAS sgemm; TensorKit's float32 `DenseLayer` (the packed-panel kernel with the bias
    /// and, on fc1, QuickGELU fused as in CLIP; sgemm + bias pass without AVX-512); oneDNN bf16 and int8 `PackedLinearLayer`s with the same fused work.
    static func all(for shape: LayerShape, threads: Int, context: ReducedPrecisionContext) throws -> [GEMMMethod] {
        var generator = SystemRandomNumberGenerator()
        let bound = 1 / Float(shape.inputSize).squareRoot()
        let weight = (0..<(shape.inputSize * shape.outputSize)).map { _ in Float.random(in: -bound...bound, using: &generator) }
        let bias = (0..<shape.outputSize).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
        let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.rows * shape.inputSize)
        for i in input.indices { input[i] = Float.random(in: -2...2, using: &generator) }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.rows * shape.outputSize)
        output.initialize(repeating: 0)
        // Buffers live as long as the process: the bench builds a handful of them.
        let activation: Activation = shape.outputSize == 3072 ? .quickGELU : .identity
        let dense = DenseLayer(pytorchWeight: weight, bias: bias, inputSize: shape.inputSize, outputSize: shape.outputSize)
        let transposed = dense.weight
        var methods = [
            GEMMMethod(name: "sgemm") {
                transposed.withUnsafeBufferPointer { w in
                    MatrixMultiply.gemm(input.baseAddress!, w.baseAddress!, into: output.baseAddress!,
                                        m: shape.rows, n: shape.outputSize, k: shape.inputSize)
                }
            },
            GEMMMethod(name: "fp32 layer") {
                // As the model runs it (CLIPSeg's DenseLayer+Workspace): packed panels in 96-column pieces
                // shared out dynamically; the BLAS layout as one call on OpenBLAS's own threads.
                guard dense.weights.layout == .panels, threads > 1 else {
                    dense.apply(input.baseAddress!, rows: shape.rows, into: output.baseAddress!, activation: activation)
                    return
                }
                let width = 2 * dense.columnGranule
                ParallelLoop.run(chunks: (shape.outputSize + width - 1) / width, threads: threads) { piece in
                    dense.apply(input.baseAddress!, rows: shape.rows, into: output.baseAddress!,
                                columns: (piece * width)..<min((piece + 1) * width, shape.outputSize), activation: activation)
                }
            },
        ]
        for format in ReducedPrecisionFormat.allCases {
            guard format.isAvailable else {
                methods.append(GEMMMethod(name: "\(format.rawValue) layer") {})
                continue
            }
            let layer = try PackedLinearLayer(pytorchWeight: weight, bias: bias, inputSize: shape.inputSize,
                                              outputSize: shape.outputSize, format: format, typicalRows: shape.rows)
            methods.append(GEMMMethod(name: "\(format.rawValue) layer") {
                try layer.apply(input.baseAddress!, rows: shape.rows, into: output.baseAddress!, activation: activation,
                                context: context)
            })
        }
        return methods
    }
}
