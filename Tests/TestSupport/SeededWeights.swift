import Foundation

/// Weights computed from a seed, value for value the same as `Tools/seeded_weights.py` (which documents the
/// generator), so a full-size checkpoint can be rebuilt in a test instead of being committed.
///
/// Tensor `name`, `seed`: `stream = mix(seed ^ fnv1a64(name))`; hash `k` is `mix(stream + (k + 1) · γ)`
/// (SplitMix64's sequence from `stream`); its top and bottom 24 bits give elements `2k` and `2k + 1` as
/// `u = Float(bits) · 2⁻²³ − 1` in [-1, 1), and each element is `u · halfWidth + centre` in float32.
public enum SeededWeights {
    /// FNV-1a, 64 bits, over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return value
    }

    /// Writes the `count` values of tensor `name` to `out`.
    public static func fill(_ out: UnsafeMutablePointer<Float>, count: Int, seed: UInt64, name: String,
                            centre: Float, halfWidth: Float) {
        var state = SplitMix64.mix(seed ^ fnv1a64(name))
        let step: Float = 1.0 / 8_388_608
        var index = 0
        // A `while` over a raw pointer: this runs over 150 million elements in debug builds.
        while index < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            let hash = SplitMix64.mix(state)
            out[index] = (Float(UInt32(truncatingIfNeeded: hash &>> 40)) * step - 1) * halfWidth + centre
            if index &+ 1 < count {
                out[index &+ 1] = (Float(UInt32(truncatingIfNeeded: hash & 0xFF_FFFF)) * step - 1) * halfWidth + centre
            }
            index &+= 2
        }
    }

    public static func values(count: Int, seed: UInt64, name: String, centre: Float, halfWidth: Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                fill(base, count: count, seed: seed, name: name, centre: centre, halfWidth: halfWidth)
            }
            initialized = count
        }
    }
}

/// A checkpoint described by a tensor list (`name<TAB>dtype<TAB>[shape]<TAB>centre<TAB>half_width` lines, `#`
/// comments; `Tools/seeded_weights.py` writes it) and a seed: F32 tensors from `SeededWeights`, I64 ones 0, 1, 2, …
public struct SeededCheckpoint: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        public var centre: Float
        public var halfWidth: Float
        public var count: Int { shape.reduce(1, *) }
        var byteCount: Int { count * (dtype == "I64" ? 8 : 4) }
    }

    public struct ManifestError: Error, CustomStringConvertible {
        public let description: String
    }

    public let seed: UInt64
    /// In name order, as they are written.
    public let entries: [Entry]

    public init(manifest: URL, seed: UInt64) throws {
        self.seed = seed
        var entries: [Entry] = []
        for line in try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let bad = ManifestError(description: "\(manifest.lastPathComponent): bad line '\(line)'")
            guard fields.count == 5, ["F32", "I64"].contains(fields[1]), let centre = Float(fields[3]),
                  let halfWidth = Float(fields[4]), fields[0].allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" })
            else { throw bad }
            let dims = fields[2].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let shape = try dims.split(separator: ",").map { dim in
                guard let size = Int(dim.trimmingCharacters(in: .whitespaces)), size >= 0 else { throw bad }
                return size
            }
            entries.append(Entry(name: fields[0], dtype: fields[1], shape: shape, centre: centre, halfWidth: halfWidth))
        }
        guard !entries.isEmpty else { throw ManifestError(description: "\(manifest.lastPathComponent) lists no tensors") }
        self.entries = entries.sorted { $0.name < $1.name }
    }

    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The values of F32 tensor `name`.
    public func values(_ entry: Entry) -> [Float] {
        SeededWeights.values(count: entry.count, seed: seed, name: entry.name, centre: entry.centre, halfWidth: entry.halfWidth)
    }

    /// Writes the safetensors file (metadata `format: pt`), one tensor at a time through one buffer.
    public func write(to url: URL) throws {
        var fields = [#""__metadata__":{"format":"pt"}"#]
        var offset = 0
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(#""\#(entry.name)":{"dtype":"\#(entry.dtype)","shape":[\#(shape)],"#
                          + #""data_offsets":[\#(offset),\#(offset + entry.byteCount)]}"#)
            offset += entry.byteCount
        }
        var header = Array("{\(fields.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ManifestError(description: "cannot create \(url.path)")
        }
        let file = try FileHandle(forWritingTo: url)
        defer { try? file.close() }
        var length = UInt64(header.count).littleEndian
        try file.write(contentsOf: Data(bytes: &length, count: 8))
        try file.write(contentsOf: header)
        let largest = entries.map(\.byteCount).max() ?? 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(largest, 8), alignment: 8)
        defer { buffer.deallocate() }
        for entry in entries {
            if entry.dtype == "I64" {
                let integers = buffer.bindMemory(to: Int64.self, capacity: entry.count)
                for index in 0..<entry.count { integers[index] = Int64(index).littleEndian }
            } else {
                SeededWeights.fill(buffer.bindMemory(to: Float.self, capacity: entry.count), count: entry.count, seed: seed,
                                   name: entry.name, centre: entry.centre, halfWidth: entry.halfWidth)
            }
            try file.write(contentsOf: Data(bytesNoCopy: buffer, count: entry.byteCount, deallocator: .none))
        }
    }
}
