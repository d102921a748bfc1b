import SafeTensors

/// A value on the restricted unpickler's stack: the few kinds a PyTorch state dict is built from.
/// Lists and dicts are boxes, because pickle mutates them after they were memoised (APPEND, SETITEMS).
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// Raw bytes (length only: a state dict never needs their content).
    case bytes(count: Int)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A name on the allow-list, resolved to what it stands for: never imported, never called.
    case global(AllowedGlobal)
    /// A storage named by `BINPERSID`: one `data/KEY` member of the archive.
    case storage(TorchStorage)
    case tensor(PickledTensor)

    /// A short name of the kind, for error messages.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dict: return "a dict"
        case .global(let global): return "'\(global.qualifiedName)'"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }
}

/// A pickled list, shared between the stack and the memo.
final class PickleList {
    var items: [PickleValue] = []
}

/// A pickled dict (or OrderedDict), shared between the stack and the memo, keeping insertion order.
final class PickleDict {
    var entries: [(key: PickleValue, value: PickleValue)] = []
}

/// The globals a state dict's pickle may name. Anything else is refused before it is looked at further.
enum AllowedGlobal: Equatable {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    /// `torch.FloatStorage` and its siblings: the element type of a persistent storage.
    case storageType(SafeTensorsDType, name: String)

    /// Resolves `module.name` against the allow-list; nil for everything else.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _):
            guard let dtype = Self.storageTypes[name] else { return nil }
            self = .storageType(dtype, name: name)
        default: return nil
        }
    }

    var qualifiedName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .storageType(_, let name): return "torch.\(name)"
        }
    }

    private static let storageTypes: [String: SafeTensorsDType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]
}

/// A storage a tensor views: the archive member `data/KEY`, `count` elements of `dtype`.
struct TorchStorage: Equatable {
    let key: String
    let dtype: SafeTensorsDType
    let count: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage (all in elements).
struct PickledTensor: Equatable {
    let storage: TorchStorage
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}
