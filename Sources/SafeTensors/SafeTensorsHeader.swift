/// The validated contents of a safetensors header: every tensor's entry and the optional `__metadata__`.
///
/// `init(json:dataSize:file:)` checks everything the format promises: each entry is an object with a
/// known `dtype`, a `shape` of non-negative integers and `data_offsets` `[begin, end]` with
/// `end - begin == product(shape) × dtype.byteSize` (overflow-checked); names and fields appear once;
/// and the entries, sorted by offset, tile the data section exactly — no gap, no overlap, nothing
/// past its end and nothing left over. Fields other than the three are ignored, as the reference
/// implementation ignores them.
struct SafeTensorsHeader {
    static let metadataKey = "__metadata__"

    /// Entries keyed by tensor name.
    let tensors: [String: SafeTensorInfo]
    /// `__metadata__`, or empty when absent.
    let metadata: [String: String]

    init(json: JSONValue, dataSize: Int, file: String) throws(SafeTensorsError) {
        func fail(_ kind: SafeTensorsError.Kind) -> SafeTensorsError { SafeTensorsError(kind, file: file) }

        guard case .object(let members) = json else { throw fail(.headerNotObject(found: json.kindDescription)) }
        var tensors: [String: SafeTensorInfo] = [:]
        tensors.reserveCapacity(members.count)
        var metadata: [String: String]?
        for member in members {
            if member.key == Self.metadataKey {
                guard metadata == nil else { throw fail(.duplicateName(member.key)) }
                metadata = try Self.parseMetadata(member.value, fail: fail)
            } else {
                guard tensors[member.key] == nil else { throw fail(.duplicateName(member.key)) }
                tensors[member.key] = try Self.parseEntry(name: member.key, member.value, dataSize: dataSize, fail: fail)
            }
        }
        try Self.checkTiling(tensors.values, dataSize: dataSize, fail: fail)
        self.tensors = tensors
        self.metadata = metadata ?? [:]
    }

    private typealias Fail = (SafeTensorsError.Kind) -> SafeTensorsError

    private static func parseMetadata(_ value: JSONValue, fail: Fail) throws(SafeTensorsError) -> [String: String] {
        guard case .object(let members) = value else { throw fail(.metadataNotObject(found: value.kindDescription)) }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw fail(.metadataValueNotString(key: member.key, found: member.value.kindDescription))
            }
            guard metadata.updateValue(text, forKey: member.key) == nil else { throw fail(.duplicateMetadataKey(member.key)) }
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: JSONValue, dataSize: Int, fail: Fail) throws(SafeTensorsError) -> SafeTensorInfo {
        guard case .object(let members) = value else { throw fail(.entryNotObject(tensor: name, found: value.kindDescription)) }
        var fields: [String: JSONValue] = [:]
        for member in members {
            guard fields.updateValue(member.value, forKey: member.key) == nil else {
                throw fail(.duplicateField(tensor: name, field: member.key))
            }
        }
        func field(_ key: String) throws(SafeTensorsError) -> JSONValue {
            guard let value = fields[key] else { throw fail(.missingField(tensor: name, field: key)) }
            return value
        }

        let dtypeValue = try field("dtype")
        guard case .string(let dtypeName) = dtypeValue else {
            throw fail(.fieldWrongType(tensor: name, field: "dtype", found: dtypeValue.kindDescription, expected: "a string such as \"F32\""))
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else { throw fail(.unknownDType(tensor: name, dtype: dtypeName)) }

        let shapeValue = try field("shape")
        guard case .array(let dimensions) = shapeValue else {
            throw fail(.fieldWrongType(tensor: name, field: "shape", found: shapeValue.kindDescription, expected: "an array of integers"))
        }
        var shape: [Int] = []
        shape.reserveCapacity(dimensions.count)
        for (index, dimension) in dimensions.enumerated() {
            guard let size = dimension.integerValue else {
                throw fail(.invalidDimension(tensor: name, index: index, value: dimension.shortDescription))
            }
            guard size >= 0 else { throw fail(.negativeDimension(tensor: name, index: index, value: dimension.shortDescription)) }
            shape.append(Int(size))
        }

        let offsetsValue = try field("data_offsets")
        guard case .array(let offsets) = offsetsValue else {
            throw fail(.fieldWrongType(tensor: name, field: "data_offsets", found: offsetsValue.kindDescription, expected: "an array of two integers"))
        }
        guard offsets.count == 2 else {
            throw fail(.invalidOffsets(tensor: name, reason: "has \(offsets.count) element\(offsets.count == 1 ? "" : "s")"))
        }
        var bounds: [Int] = []
        for offset in offsets {
            guard let value = offset.integerValue, value >= 0 else {
                throw fail(.invalidOffsets(tensor: name, reason: "contain \(offset.shortDescription)"))
            }
            bounds.append(Int(value))
        }
        let (begin, end) = (bounds[0], bounds[1])
        guard begin <= end else { throw fail(.offsetsReversed(tensor: name, begin: begin, end: end)) }

        var needed = dtype.byteSize
        for size in shape {
            let (product, overflow) = needed.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail(.shapeOverflow(tensor: name, shape: shape, dtype: dtype)) }
            needed = product
        }
        guard end - begin == needed else {
            throw fail(.byteCountMismatch(tensor: name, byteCount: end - begin, shape: shape, dtype: dtype, needed: needed))
        }
        guard end <= dataSize else { throw fail(.tensorPastEnd(tensor: name, end: end, dataSize: dataSize)) }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteOffset: begin, byteCount: needed)
    }

    /// Sorted by (begin, end), each entry must start where the previous one ended, and the last must
    /// end at `dataSize`. (Every end is already known to be within `dataSize`.)
    private static func checkTiling(_ entries: Dictionary<String, SafeTensorInfo>.Values, dataSize: Int, fail: Fail) throws(SafeTensorsError) {
        let sorted = entries.sorted {
            ($0.byteOffset, $0.byteOffset + $0.byteCount, $0.name) < ($1.byteOffset, $1.byteOffset + $1.byteCount, $1.name)
        }
        var covered = 0
        var previous: String?
        for entry in sorted {
            if entry.byteOffset < covered, let previous {
                throw fail(.overlap(tensor: entry.name, begin: entry.byteOffset, previous: previous, previousEnd: covered))
            }
            if entry.byteOffset > covered {
                throw fail(.gap(tensor: entry.name, begin: entry.byteOffset, previous: previous, previousEnd: covered))
            }
            covered = entry.byteOffset + entry.byteCount
            previous = entry.name
        }
        guard covered == dataSize else { throw fail(.trailingData(covered: covered, dataSize: dataSize)) }
    }
}
