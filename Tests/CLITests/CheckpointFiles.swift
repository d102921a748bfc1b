import Foundation

/// A safetensors file taken apart at the byte level, so tests can damage it in ways a correct
/// writer never would (overlaps, wrong dtypes, shapes that lie).
struct RawCheckpoint {
    /// Header entries by name (`dtype`, `shape`, `data_offsets`), `__metadata__` excluded.
    var entries: [String: [String: Any]]
    var metadata: [String: Any]?
    /// The data section as read.
    var data: Data

    init(_ url: URL) throws {
        let file = try Data(contentsOf: url)
        let length = Int(file.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: file.subdata(in: 8..<(8 + length))) as? [String: Any] ?? [:]
        metadata = header["__metadata__"] as? [String: Any]
        entries = header.filter { $0.key != "__metadata__" }.compactMapValues { $0 as? [String: Any] }
        data = file.subdata(in: (8 + length)..<file.count)
    }

    /// Names in data order.
    var orderedNames: [String] { entries.keys.sorted { offsets[$0]![0] < offsets[$1]![0] } }

    /// `data_offsets` of every tensor.
    var offsets: [String: [Int]] {
        get { entries.mapValues { ($0["data_offsets"] as? [Int]) ?? [0, 0] } }
        set { for (name, value) in newValue { entries[name]?["data_offsets"] = value } }
    }

    mutating func remove(_ name: String) { entries[name] = nil }

    private var added: [String: Data] = [:]

    mutating func add(_ name: String, dtype: String, shape: [Int], bytes: [UInt8]) {
        entries[name] = ["dtype": dtype, "shape": shape, "data_offsets": [0, 0]]
        added[name] = Data(bytes)
    }

    /// Writes the (edited) header over the original data section.
    func writeKeepingData(to url: URL) throws {
        try write(header: entries, data: data, to: url)
    }

    /// Writes a consistent file: every remaining tensor's bytes packed in name order.
    func writeRepacked(to url: URL) throws {
        let original = offsets
        var packed = Data(), header = entries
        for name in entries.keys.sorted() {
            let bytes = added[name] ?? data.subdata(in: original[name]![0]..<original[name]![1])
            header[name]!["data_offsets"] = [packed.count, packed.count + bytes.count]
            packed.append(bytes)
        }
        try write(header: header, data: packed, to: url)
    }

    private func write(header: [String: [String: Any]], data: Data, to url: URL) throws {
        var object: [String: Any] = header
        if let metadata { object["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: url)
    }
}

/// Float32 tensors of a reference safetensors file (F32 only), for comparing with the binary's output.
struct ReferenceTensors {
    private let checkpoint: RawCheckpoint

    init(_ url: URL) throws { checkpoint = try RawCheckpoint(url) }

    func floats(_ name: String) throws -> [Float] {
        guard let entry = checkpoint.entries[name], entry["dtype"] as? String == "F32",
              let range = entry["data_offsets"] as? [Int] else {
            throw NSError(domain: "ReferenceTensors", code: 1, userInfo: [NSLocalizedDescriptionKey: "no F32 tensor \(name)"])
        }
        return NPY.floats(checkpoint.data.subdata(in: range[0]..<range[1]))
    }
}

/// Reading NumPy `.npy` float32 files as `clipseg image --logits` writes them.
enum NPY {
    static func readFloat32(_ url: URL) throws -> (shape: [Int], values: [Float]) {
        let file = try Data(contentsOf: url)
        guard file.count >= 10, file.prefix(6) == Data([0x93] + Array("NUMPY".utf8)), file[6] == 1 else {
            throw NSError(domain: "NPY", code: 1, userInfo: [NSLocalizedDescriptionKey: "not an npy 1.0 file"])
        }
        let headerLength = Int(file[8]) | Int(file[9]) << 8
        let header = String(decoding: file.subdata(in: 10..<(10 + headerLength)), as: UTF8.self)
        guard header.contains("'descr': '<f4'"), header.contains("'fortran_order': False"),
              (10 + headerLength) % 64 == 0, header.hasSuffix("\n"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw NSError(domain: "NPY", code: 2, userInfo: [NSLocalizedDescriptionKey: "unexpected npy header \(header)"])
        }
        let shape = header[open.upperBound..<close].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (shape, floats(file.subdata(in: (10 + headerLength)..<file.count)))
    }

    static func floats(_ bytes: Data) -> [Float] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            let b = bytes.startIndex + i
            return Float(bitPattern: UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24)
        }
    }
}
