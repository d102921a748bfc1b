import TensorKit

/// Feature-wise linear modulation of the decoder by the prompt:
/// `output[p] = film_mul(cond[p]) ⊙ x + film_add(cond[p])`, broadcast over tokens.
struct FiLM: Sendable {
    /// `film_mul`: projection_dim → reduce_dim.
    let multiply: DenseLayer
    /// `film_add`: projection_dim → reduce_dim.
    let add: DenseLayer

    init(tensors: CheckpointTensors, projectionDim: Int, reduceDim: Int) throws {
        multiply = DenseLayer(pytorchWeight: try tensors.take("decoder.filmMultiply.weight"),
                              bias: try tensors.take("decoder.filmMultiply.bias"),
                              inputSize: projectionDim, outputSize: reduceDim)
        add = DenseLayer(pytorchWeight: try tensors.take("decoder.filmAdd.weight"),
                         bias: try tensors.take("decoder.filmAdd.bias"),
                         inputSize: projectionDim, outputSize: reduceDim)
    }

    /// Modulates one shared `[tokens, reduce]` state by each of `conditionals` (`[prompts, projection]`),
    /// writing `[prompts, tokens, reduce]` into `output`.
    func apply(shared x: UnsafePointer<Float>, tokens: Int, conditionals: Tensor, into output: UnsafeMutablePointer<Float>) {
        let scales = multiply(conditionals), shifts = add(conditionals)
        let reduce = multiply.outputSize, prompts = conditionals.shape[0]
        scales.data.withUnsafeBufferPointer { scale in
            shifts.data.withUnsafeBufferPointer { shift in
                for p in 0..<prompts {
                    let a = scale.baseAddress! + p * reduce, b = shift.baseAddress! + p * reduce
                    for t in 0..<tokens {
                        let source = x + t * reduce, target = output + (p * tokens + t) * reduce
                        for c in 0..<reduce { target[c] = a[c] * source[c] + b[c] }
                    }
                }
            }
        }
    }
}
