import Foundation
import UserText

/// Why a safetensors file could not be opened or a tensor could not be read.
///
/// Every way a file can break the format is its own `Kind`, so callers and tests can tell them
/// apart; `description` is one line naming the file and, where relevant, the tensor, e.g.
/// `model.safetensors: tensor 'a.weight' has 1536 bytes but shape [64, 3, 16, 16] of F32 needs 196608`.
/// Offsets inside the data section count from its first byte, as the header's `data_offsets` do.
public struct SafeTensorsError: LocalizedError, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        // The file itself.
        case cannotOpen(reason: String)
        case notRegularFile
        case cannotMap(reason: String)
        case truncated(fileSize: Int)
        // The header as bytes and as JSON.
        case headerTooLarge(length: UInt64, limit: Int)
        case headerPastEnd(length: Int, fileSize: Int)
        case headerNotUTF8(offset: Int)
        case headerNotJSON(offset: Int, reason: String)
        case headerNotObject(found: String)
        case duplicateName(String)
        case metadataNotObject(found: String)
        case metadataValueNotString(key: String, found: String)
        case duplicateMetadataKey(String)
        // One tensor's entry.
        case entryNotObject(tensor: String, found: String)
        case duplicateField(tensor: String, field: String)
        case missingField(tensor: String, field: String)
        case fieldWrongType(tensor: String, field: String, found: String, expected: String)
        case unknownDType(tensor: String, dtype: String)
        case negativeDimension(tensor: String, index: Int, value: String)
        case invalidDimension(tensor: String, index: Int, value: String)
        case shapeOverflow(tensor: String, shape: [Int], dtype: SafeTensorsDType)
        case invalidOffsets(tensor: String, reason: String)
        case offsetsReversed(tensor: String, begin: Int, end: Int)
        case byteCountMismatch(tensor: String, byteCount: Int, shape: [Int], dtype: SafeTensorsDType, needed: Int)
        case tensorPastEnd(tensor: String, end: Int, dataSize: Int)
        // How the entries tile the data section.
        case overlap(tensor: String, begin: Int, previous: String, previousEnd: Int)
        case gap(tensor: String, begin: Int, previous: String?, previousEnd: Int)
        case trailingData(covered: Int, dataSize: Int)
        // Reading a tensor.
        case unknownTensor(String)
        case notConvertible(tensor: String, dtype: SafeTensorsDType, target: String)
        case integerOutOfRange(tensor: String, dtype: SafeTensorsDType, value: UInt64)
    }

    public let kind: Kind
    /// The file's path as it was given to `SafeTensorsFile(url:)`.
    public let file: String

    public init(_ kind: Kind, file: String) {
        self.kind = kind
        self.file = file
    }

    public var description: String { "\(shown(file)): \(kind.message)" }

    /// The same line, so `localizedDescription` says it too.
    public var errorDescription: String? { description }
}

extension SafeTensorsError.Kind {
    /// The part of the description after the file name.
    var message: String {
        switch self {
        case .cannotOpen(let reason):
            return "cannot open: \(reason)"
        case .notRegularFile:
            return "is not a regular file"
        case .cannotMap(let reason):
            return "cannot memory-map: \(reason)"
        case .truncated(let fileSize):
            return "file is \(fileSize) bytes, too short to hold the 8-byte header length"
        case .headerTooLarge(let length, let limit):
            return "header length \(length) exceeds the \(limit)-byte limit"
        case .headerPastEnd(let length, let fileSize):
            return "header length \(length) runs past the end of the \(fileSize)-byte file"
        case .headerNotUTF8(let offset):
            return "header is not valid UTF-8 (bad byte at header offset \(offset))"
        case .headerNotJSON(let offset, let reason):
            return "header is not valid JSON at header offset \(offset): \(reason)"
        case .headerNotObject(let found):
            return "header is \(found), expected a JSON object"
        case .duplicateName(let name):
            return "tensor name '\(shown(name))' appears more than once in the header"
        case .metadataNotObject(let found):
            return "__metadata__ is \(found), expected an object of strings"
        case .metadataValueNotString(let key, let found):
            return "__metadata__ value for '\(shown(key))' is \(found), expected a string"
        case .duplicateMetadataKey(let key):
            return "__metadata__ key '\(shown(key))' appears more than once"
        case .entryNotObject(let tensor, let found):
            return "tensor '\(shown(tensor))' entry is \(found), expected an object"
        case .duplicateField(let tensor, let field):
            return "tensor '\(shown(tensor))' has field '\(shown(field))' more than once"
        case .missingField(let tensor, let field):
            return "tensor '\(shown(tensor))' has no '\(shown(field))' field"
        case .fieldWrongType(let tensor, let field, let found, let expected):
            return "tensor '\(shown(tensor))' field '\(shown(field))' is \(found), expected \(expected)"
        case .unknownDType(let tensor, let dtype):
            return "tensor '\(shown(tensor))' has unknown dtype '\(shown(dtype))'"
        case .negativeDimension(let tensor, let index, let value):
            return "tensor '\(shown(tensor))' has negative dimension \(shown(value)) at shape index \(index)"
        case .invalidDimension(let tensor, let index, let value):
            return "tensor '\(shown(tensor))' shape index \(index) is \(shown(value)), expected a non-negative 64-bit integer"
        case .shapeOverflow(let tensor, let shape, let dtype):
            return "tensor '\(shown(tensor))' shape \(shape) of \(dtype.rawValue) overflows a 64-bit byte count"
        case .invalidOffsets(let tensor, let reason):
            return "tensor '\(shown(tensor))' data_offsets \(shown(reason)), expected [begin, end] as non-negative 64-bit integers"
        case .offsetsReversed(let tensor, let begin, let end):
            return "tensor '\(shown(tensor))' data_offsets [\(begin), \(end)] end before they begin"
        case .byteCountMismatch(let tensor, let byteCount, let shape, let dtype, let needed):
            return "tensor '\(shown(tensor))' has \(byteCount) bytes but shape \(shape) of \(dtype.rawValue) needs \(needed)"
        case .tensorPastEnd(let tensor, let end, let dataSize):
            return "tensor '\(shown(tensor))' ends at data offset \(end), past the end of the \(dataSize)-byte data section"
        case .overlap(let tensor, let begin, let previous, let previousEnd):
            return "tensor '\(shown(tensor))' begins at data offset \(begin), inside tensor '\(shown(previous))' which ends at \(previousEnd)"
        case .gap(let tensor, let begin, let previous?, let previousEnd):
            return "tensor '\(shown(tensor))' begins at data offset \(begin) but tensor '\(shown(previous))' ends at \(previousEnd), leaving \(begin - previousEnd) unused bytes"
        case .gap(let tensor, let begin, nil, _):
            return "tensor '\(shown(tensor))' is first in the data section but begins at data offset \(begin), not 0"
        case .trailingData(let covered, let dataSize):
            return "data section is \(dataSize) bytes but the tensors cover only \(covered)"
        case .unknownTensor(let name):
            return "no tensor named '\(shown(name))'"
        case .notConvertible(let tensor, let dtype, let target):
            return "tensor '\(shown(tensor))' is \(dtype.rawValue) and cannot be read as \(target)"
        case .integerOutOfRange(let tensor, let dtype, let value):
            return "tensor '\(shown(tensor))' (\(dtype.rawValue)) holds \(value), which does not fit in Int64"
        }
    }
}

/// `text` with control characters and line separators written as `\u{…}` (UserText), so a tensor name from a
/// hostile header cannot break the one-line description.
fileprivate func shown(_ text: String) -> String { text.escapingControlCharactersAsCodePoints }
