import Foundation
import SafeTensors
import UserText

/// A PyTorch checkpoint in the ZIP format `torch.save` writes (`pytorch_model.bin`), memory-mapped
/// read-only, its state dict read by `RestrictedUnpickler`: nothing in the file is ever executed, and
/// anything but a mapping of names to tensors (OrderedDict, `_rebuild_tensor_v2`, storages of the float
/// types, integers and bool) is refused with one line.
///
/// Memory: the mapping lives as long as this object and is unmapped in `deinit`; `floats(_:)` and
/// `int64s(_:)` return fresh arrays the caller owns, converted from the mapped storage bytes (views with
/// offsets and strides are honoured, shared storages are read in place).
///
/// Thread safety: immutable after `init` (the mapping is PROT_READ), so any number of threads may read.
public final class TorchCheckpointFile: Sendable {
    public let url: URL
    /// Tensor names, sorted.
    public let names: [String]
    /// Total file size in bytes.
    public let fileSize: Int

    private let mapping: MemoryMappedFile
    private let entries: [String: TorchTensorInfo]
    /// Each storage's first byte in the file.
    private let storageStarts: [String: Int]

    /// Maps the file at `url` and reads its state dict; throws `TorchCheckpointError` naming what is wrong.
    public init(url: URL) throws {
        self.url = url
        let file = url.path
        do {
            mapping = try MemoryMappedFile(path: file, minimumSize: 4)
        } catch {
            switch error {
            case .cannotOpen(let reason): throw TorchCheckpointError(.cannotOpen(reason: reason), file: file)
            case .notRegularFile: throw TorchCheckpointError(.notRegularFile, file: file)
            case .cannotMap(let reason): throw TorchCheckpointError(.cannotOpen(reason: reason), file: file)
            case .tooSmall: throw TorchCheckpointError(.legacyFormat, file: file)
            }
        }
        fileSize = mapping.bytes.count
        do {
            (entries, storageStarts) = try Self.read(mapping.bytes)
        } catch {
            throw TorchCheckpointError(error, file: file)
        }
        names = entries.keys.sorted()
    }

    /// Every tensor's entry, in name order.
    public var tensors: [TorchTensorInfo] { names.compactMap { entries[$0] } }

    /// The entry for `name`, or nil when the checkpoint has no such tensor.
    public func info(_ name: String) -> TorchTensorInfo? { entries[name] }

    /// The tensor converted to Float32 (from F32, F16, BF16 or F64 storage), row-major in `shape` order.
    public func floats(_ name: String) throws -> [Float] {
        let entry = try lookUp(name)
        guard entry.dtype.isConvertibleToFloat else {
            throw TorchCheckpointError(.notConvertible(tensor: name, dtype: entry.dtype.rawValue, target: "Float32"), file: url.path)
        }
        return gather(entry) { source, destination in _ = entry.dtype.convertToFloat(source, into: destination) }
    }

    /// Integer (and bool) tensors widened to Int64, row-major in `shape` order.
    public func int64s(_ name: String) throws -> [Int64] {
        let entry = try lookUp(name)
        guard entry.dtype.isConvertibleToInt64 else {
            throw TorchCheckpointError(.notConvertible(tensor: name, dtype: entry.dtype.rawValue, target: "Int64"), file: url.path)
        }
        var outOfRange: UInt64?
        let values = gather(entry) { source, destination in
            if let value = entry.dtype.convertToInt64(source, into: destination) { outOfRange = outOfRange ?? value }
        }
        if let outOfRange { throw TorchCheckpointError(.integerOutOfRange(tensor: name, value: outOfRange), file: url.path) }
        return values
    }

    private func lookUp(_ name: String) throws -> TorchTensorInfo {
        guard let entry = entries[name] else { throw TorchCheckpointError(.unknownTensor(name), file: url.path) }
        return entry
    }

    /// Converts the view element by element in row-major order: whole rows at a time where the innermost
    /// stride is 1, the whole tensor at once when it is contiguous.
    private func gather<T>(_ entry: TorchTensorInfo,
                           _ convert: (UnsafeRawPointer, UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        let count = entry.elementCount
        let size = entry.dtype.byteSize
        // Non-nil: a storage is a member inside the mapping, which is at least 4 bytes long.
        let base = mapping.bytes.baseAddress.unsafelyUnwrapped + storageStarts[entry.storageKey, default: 0]
        return withExtendedLifetime(mapping) {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                defer { initialized = count }
                guard count > 0, let out = buffer.baseAddress else { return }
                if entry.isContiguous || entry.shape.isEmpty {
                    convert(base + entry.storageOffset * size, buffer)
                    return
                }
                let rank = entry.shape.count
                let rowLength = entry.shape[rank - 1], rowStride = entry.strides[rank - 1]
                var index = [Int](repeating: 0, count: rank - 1)
                var written = 0
                while written < count {
                    var element = entry.storageOffset
                    for axis in 0..<(rank - 1) { element += index[axis] * entry.strides[axis] }
                    if rowStride == 1 || rowLength == 1 {
                        convert(base + element * size, UnsafeMutableBufferPointer(start: out + written, count: rowLength))
                    } else {
                        for column in 0..<rowLength {
                            convert(base + (element + column * rowStride) * size,
                                    UnsafeMutableBufferPointer(start: out + written + column, count: 1))
                        }
                    }
                    written += rowLength
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        if index[axis] < entry.shape[axis] { break }
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }

    /// The state dict's entries and each storage's start, from the archive in `bytes`.
    private static func read(_ bytes: UnsafeRawBufferPointer) throws(TorchCheckpointError.Kind)
        -> (entries: [String: TorchTensorInfo], storageStarts: [String: Int]) {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw .legacyFormat }
        let archive = try StoredZipArchive(bytes: bytes)
        let pickles = archive.entries.keys.filter { name in
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl"
        }
        guard pickles.count == 1, let pickleName = pickles.first, let pickle = archive.entries[pickleName] else {
            throw .missingPickle(found: pickles.count)
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if let order = archive.entries[prefix + "byteorder"] {
            let text = String(decoding: try archive.bytes(of: order, in: bytes), as: UTF8.self)
            guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else { throw .bigEndian }
        }
        var starts: [String: Int] = [:]
        var unpickler = RestrictedUnpickler(pickle: try archive.bytes(of: pickle, in: bytes)) { key, dtype, count throws(TorchCheckpointError.Kind) in
            guard let member = archive.entries[prefix + "data/" + key] else { throw .missingStorage(key: key) }
            let data = try archive.bytes(of: member, in: bytes)
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, needed <= data.count else {
                throw .storageTooSmall(key: key, bytes: data.count, needed: overflow ? Int.max : needed)
            }
            starts[key] = member.dataOffset
            return TorchStorage(key: key, dtype: dtype, count: count)
        }
        let root = try unpickler.load()
        return (try stateDict(root), starts)
    }

    /// The root must be a dict of string keys to tensors.
    private static func stateDict(_ root: PickleValue) throws(TorchCheckpointError.Kind) -> [String: TorchTensorInfo] {
        guard case .dict(let dict) = root else { throw .notAStateDict("the file holds \(root.kindName), not a dict") }
        var entries: [String: TorchTensorInfo] = [:]
        for (key, value) in dict.entries {
            guard case .string(let name) = key else { throw .notAStateDict("a key is \(key.kindName), not a string") }
            guard case .tensor(let tensor) = value else {
                throw .notAStateDict("'\(name.escapingControlCharactersAsCodePoints)' is \(value.kindName), not a tensor")
            }
            entries[name] = TorchTensorInfo(name: name, dtype: tensor.storage.dtype, shape: tensor.shape, strides: tensor.strides,
                                            storageKey: tensor.storage.key, storageOffset: tensor.offset)
        }
        return entries
    }
}
