import Foundation
import SafeTensors
import TorchCheckpoint

/// A checkpoint the model's weights are read from: `model.safetensors` (`SafeTensorsFile`) or PyTorch's
/// `pytorch_model.bin` (`TorchCheckpointFile`, read without running its pickle). Both are memory-mapped
/// and immutable; `floats(_:)` returns a fresh row-major array the caller owns.
public protocol CheckpointFile: Sendable {
    var url: URL { get }
    /// Tensor names, sorted.
    var names: [String] { get }
    /// The element type and shape (outermost first) of `name`, nil when the checkpoint has no such tensor.
    func layout(of name: String) -> (dtype: SafeTensorsDType, shape: [Int])?
    /// The tensor converted to Float32, row-major in its shape.
    func floats(_ name: String) throws -> [Float]
}

extension SafeTensorsFile: CheckpointFile {
    public func layout(of name: String) -> (dtype: SafeTensorsDType, shape: [Int])? {
        info(name).map { ($0.dtype, $0.shape) }
    }
}

extension TorchCheckpointFile: CheckpointFile {
    public func layout(of name: String) -> (dtype: SafeTensorsDType, shape: [Int])? {
        info(name).map { ($0.dtype, $0.shape) }
    }
}

/// Opens `url` by its name: `.bin` as a PyTorch checkpoint, anything else as safetensors.
func openCheckpoint(at url: URL) throws -> any CheckpointFile {
    url.pathExtension == "bin" ? try TorchCheckpointFile(url: url) : try SafeTensorsFile(url: url)
}
