import Foundation
import UserText

/// Why a PyTorch checkpoint (`pytorch_model.bin`) could not be read: one line naming the file and what is
/// wrong with it, e.g. `pytorch_model.bin: refused pickle global 'os.system' (only tensors and OrderedDicts are read)`.
public struct TorchCheckpointError: LocalizedError, CustomStringConvertible, Equatable {
    public enum Kind: Error, Equatable, Sendable {
        case cannotOpen(reason: String)
        case notRegularFile
        /// An old (pre-1.6) `torch.save` file or something else that is not a ZIP archive.
        case legacyFormat
        case notAZipArchive(String)
        case unsupportedArchive(String)
        /// The archive has no `…/data.pkl` member, or more than one.
        case missingPickle(found: Int)
        case bigEndian
        /// A byte of the pickle that the reader does not interpret (with its offset).
        case unsupportedOpcode(opcode: UInt8, offset: Int)
        /// A global the allow-list does not include: never resolved, never called.
        case refusedGlobal(String)
        case malformedPickle(String, offset: Int)
        case missingStorage(key: String)
        case storageTooSmall(key: String, bytes: Int, needed: Int)
        case tensorOutOfBounds(tensor: String, reason: String)
        case notAStateDict(String)
        case unknownTensor(String)
        case notConvertible(tensor: String, dtype: String, target: String)
        case integerOutOfRange(tensor: String, value: UInt64)
    }

    public let kind: Kind
    /// The file's path as given to `TorchCheckpointFile(url:)`.
    public let file: String

    public init(_ kind: Kind, file: String) {
        self.kind = kind
        self.file = file
    }

    public var description: String { "\(file.escapingControlCharactersAsCodePoints): \(kind.message)" }
    public var errorDescription: String? { description }
}

extension TorchCheckpointError.Kind {
    var message: String {
        switch self {
        case .cannotOpen(let reason): return "cannot open (\(reason))"
        case .notRegularFile: return "not a regular file"
        case .legacyFormat:
            return "not a ZIP-format PyTorch checkpoint (files saved by torch before 1.6 are not read; "
                + "re-save with torch.save or convert to model.safetensors)"
        case .notAZipArchive(let reason): return "damaged checkpoint archive: \(reason)"
        case .unsupportedArchive(let reason): return reason
        case .missingPickle(let found):
            return found == 0 ? "no data.pkl in the archive (not a torch.save checkpoint)"
                              : "\(found) data.pkl members in the archive; expected one"
        case .bigEndian: return "saved on a big-endian machine; only little-endian checkpoints are read"
        case .unsupportedOpcode(let opcode, let offset):
            return String(format: "pickle opcode 0x%02x at byte %d is not one a state dict uses; refused", opcode, offset)
        case .refusedGlobal(let name):
            return "refused pickle global '\(name.escapingControlCharactersAsCodePoints)' (only tensors and OrderedDicts are read; nothing is executed)"
        case .malformedPickle(let reason, let offset): return "damaged pickle at byte \(offset): \(reason)"
        case .missingStorage(let key): return "tensor storage '\(key.escapingControlCharactersAsCodePoints)' is missing from the archive"
        case .storageTooSmall(let key, let bytes, let needed):
            return "tensor storage '\(key.escapingControlCharactersAsCodePoints)' has \(bytes) bytes, \(needed) needed"
        case .tensorOutOfBounds(let tensor, let reason):
            return "tensor '\(tensor.escapingControlCharactersAsCodePoints)' \(reason)"
        case .notAStateDict(let reason): return "not a state dict of tensors: \(reason)"
        case .unknownTensor(let name): return "no tensor named '\(name.escapingControlCharactersAsCodePoints)'"
        case .notConvertible(let tensor, let dtype, let target):
            return "tensor '\(tensor.escapingControlCharactersAsCodePoints)' is \(dtype), not convertible to \(target)"
        case .integerOutOfRange(let tensor, let value):
            return "tensor '\(tensor.escapingControlCharactersAsCodePoints)' holds \(value), beyond Int64"
        }
    }
}
