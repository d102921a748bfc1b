import Foundation

/// A safetensors checkpoint, memory-mapped read-only and validated in full when opened.
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of UTF-8 JSON (`{"name": {"dtype",
/// "shape", "data_offsets"}, …, "__metadata__": {…}}`), then the data section that the tensors tile
/// exactly. `init` maps the file and reads only the header, so opening a large checkpoint costs a
/// few page faults; tensor bytes are touched only when converted.
///
/// Memory: the mapping lives as long as this object and is unmapped in `deinit`. `floats(_:)` and
/// `int64s(_:)` return fresh Swift arrays the caller owns; `withRawBytes(_:_:)` lends the mapped
/// bytes for the duration of a closure only.
///
/// Thread safety: immutable after `init` — every stored property is a `let` of a Sendable type, and
/// the mapping is PROT_READ and never changes until `deinit` — so any number of threads may read
/// concurrently. The compiler checks this `Sendable` conformance; the one unchecked claim, that a
/// read-only mapping may be shared, is confined to `MemoryMappedFile` and argued there.
public final class SafeTensorsFile: Sendable {
    /// Largest header accepted, as in the reference implementation (100 MB).
    public static let maximumHeaderLength = SafeTensorsLayout.maximumHeaderLength

    public let url: URL
    /// Tensor names, sorted.
    public let names: [String]
    /// The header's `__metadata__` (e.g. `["format": "pt"]`), empty when absent.
    public let metadata: [String: String]
    /// Total file size in bytes.
    public let fileSize: Int

    private let mapping: MemoryMappedFile
    private let entries: [String: SafeTensorInfo]
    /// Offset of the data section within the file (`8 + header length`).
    private let dataStart: Int

    /// Maps and validates the file at `url`; throws `SafeTensorsError` naming the first violation.
    public init(url: URL) throws {
        self.url = url
        let file = url.path
        func fail(_ kind: SafeTensorsError.Kind) -> SafeTensorsError { SafeTensorsError(kind, file: file) }

        do {
            mapping = try MemoryMappedFile(path: file, minimumSize: 8)
        } catch {
            switch error {
            case .cannotOpen(let reason): throw fail(.cannotOpen(reason: reason))
            case .notRegularFile: throw fail(.notRegularFile)
            case .cannotMap(let reason): throw fail(.cannotMap(reason: reason))
            case .tooSmall(let size): throw fail(.truncated(fileSize: size))
            }
        }
        fileSize = mapping.bytes.count
        let layout = try SafeTensorsLayout(fileBytes: mapping.bytes, file: file)
        dataStart = layout.dataStart
        let header = layout.header
        entries = header.tensors
        metadata = header.metadata
        names = header.tensors.keys.sorted()
    }

    /// Every tensor's entry, in name order.
    public var tensors: [SafeTensorInfo] { names.compactMap { entries[$0] } }

    /// The entry for `name`, or nil when the file has no such tensor.
    public func info(_ name: String) -> SafeTensorInfo? { entries[name] }

    /// The tensor converted to Float32 (from F32, F16, BF16 or F64), row-major in `shape` order;
    /// throws for other dtypes or unknown names.
    public func floats(_ name: String) throws -> [Float] {
        let entry = try lookUp(name)
        guard entry.dtype.isConvertibleToFloat else {
            throw SafeTensorsError(.notConvertible(tensor: name, dtype: entry.dtype, target: "Float32"), file: url.path)
        }
        return withSource(entry) { source in
            [Float](unsafeUninitializedCapacity: entry.elementCount) { buffer, initialized in
                _ = ElementConversion.convertToFloat(source, dtype: entry.dtype, into: buffer)
                initialized = buffer.count
            }
        }
    }

    /// Integer tensors (I64, I32, I16, I8, U64, U32, U16, U8, and BOOL as 0/1 bytes) widened to Int64;
    /// throws for float dtypes, unknown names, or a U64 value above `Int64.max`.
    public func int64s(_ name: String) throws -> [Int64] {
        let entry = try lookUp(name)
        guard entry.dtype.isConvertibleToInt64 else {
            throw SafeTensorsError(.notConvertible(tensor: name, dtype: entry.dtype, target: "Int64"), file: url.path)
        }
        var outcome = ElementConversion.IntegerOutcome.converted
        let values = withSource(entry) { source in
            [Int64](unsafeUninitializedCapacity: entry.elementCount) { buffer, initialized in
                outcome = ElementConversion.convertToInt64(source, dtype: entry.dtype, into: buffer)
                initialized = outcome == .converted ? buffer.count : 0
            }
        }
        if case .outOfRange(let value) = outcome {
            throw SafeTensorsError(.integerOutOfRange(tensor: name, dtype: entry.dtype, value: value), file: url.path)
        }
        return values
    }

    /// Lends the tensor's raw little-endian bytes (`byteCount` of them, possibly unaligned) to `body`.
    /// The buffer is valid only inside `body`; copy what must outlive it.
    public func withRawBytes<Result>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let entry = try lookUp(name)
        let start = dataStart + entry.byteOffset
        return try body(UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<start + entry.byteCount]))
    }

    private func lookUp(_ name: String) throws(SafeTensorsError) -> SafeTensorInfo {
        guard let entry = entries[name] else { throw SafeTensorsError(.unknownTensor(name), file: url.path) }
        return entry
    }

    /// Calls `body` with the address of the tensor's first byte (any pointer for an empty tensor).
    private func withSource<Result>(_ entry: SafeTensorInfo, _ body: (UnsafeRawPointer) -> Result) -> Result {
        // Non-nil: the mapping is at least 8 bytes long, and the data section starts at most at its end.
        let base = mapping.bytes.baseAddress.unsafelyUnwrapped
        return withExtendedLifetime(mapping) { body(base + dataStart + entry.byteOffset) }
    }
}
