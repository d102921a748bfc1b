/// Why a CLIPSeg model could not be loaded or run. Every description is one line naming the file,
/// tensor or value at fault.
public enum CLIPSegError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file the model folder must contain is absent.
    case missingFile(folder: String, file: String, purpose: String)
    /// A JSON configuration file is unreadable or holds a value the model cannot use.
    case invalidConfiguration(file: String, reason: String)
    /// The checkpoint lacks a tensor the configuration needs.
    case missingTensor(file: String, key: String)
    /// A checkpoint tensor's shape differs from what the configuration implies.
    case wrongShape(file: String, key: String, shape: [Int], expected: [Int])
    /// A checkpoint tensor's element type is not a floating-point type.
    case wrongDType(file: String, key: String, dtype: String)
    /// The checkpoint holds a tensor this model does not know (a different architecture or configuration).
    case unexpectedTensor(file: String, key: String, count: Int)
    /// Input data (image bytes, token ids, embeddings, activations) that does not fit the model.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .missingFile(let folder, let file, let purpose):
            return "model folder \(folder) has no \(file) (\(purpose))"
        case .invalidConfiguration(let file, let reason):
            return "\(file): \(reason)"
        case .missingTensor(let file, let key):
            return "\(file): missing tensor '\(key)'"
        case .wrongShape(let file, let key, let shape, let expected):
            return "\(file): tensor '\(key)' has shape \(shape), expected \(expected)"
        case .wrongDType(let file, let key, let dtype):
            return "\(file): tensor '\(key)' has dtype \(dtype), expected F32, F16 or BF16"
        case .unexpectedTensor(let file, let key, let count):
            let others = count > 1 ? " (and \(count - 1) more)" : ""
            return "\(file): unexpected tensor '\(key)'\(others) not used by this configuration"
        case .invalidInput(let reason):
            return reason
        }
    }
}
