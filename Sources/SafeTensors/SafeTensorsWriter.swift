import Foundation
import UserText

/// Builds a safetensors file in memory: tensors are laid out contiguously in name order, the header
/// is padded with spaces to a multiple of 8 bytes (as the reference writer does), and `__metadata__`
/// is written when non-empty.
///
/// It lives in the library rather than a test target so every test target (model loading tests
/// that need small synthetic checkpoints, future fuzzers seeding from valid files) shares one writer
/// that agrees with this module's reader, and tools may write converted checkpoints with it.
/// It writes what it is given and checks nothing: a byte count that does not match the shape
/// produces a file `SafeTensorsFile` refuses, which is what a test of that refusal wants.
public struct SafeTensorsWriter: Sendable {
    /// One tensor to write: raw little-endian element bytes.
    public struct Entry: Sendable {
        public var dtype: SafeTensorsDType
        public var shape: [Int]
        public var bytes: [UInt8]

        public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    public var entries: [String: Entry] = [:]
    public var metadata: [String: String] = [:]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds (or replaces) a tensor given as raw bytes.
    public mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        entries[name] = Entry(dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Adds (or replaces) an F32 tensor.
    public mutating func add(_ name: String, shape: [Int], floats: [Float]) {
        add(name, dtype: .f32, shape: shape, bytes: Self.littleEndianBytes(floats.map(\.bitPattern)))
    }

    /// Adds (or replaces) an I64 tensor.
    public mutating func add(_ name: String, shape: [Int], int64s: [Int64]) {
        add(name, dtype: .i64, shape: shape, bytes: Self.littleEndianBytes(int64s))
    }

    /// The whole file: length prefix, padded header, data section.
    public func serialized() -> Data {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\($0.jsonStringLiteral):\((metadata[$0] ?? "").jsonStringLiteral)" }
            fields.append("\("__metadata__".jsonStringLiteral):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        let names = entries.keys.sorted()
        for name in names {
            guard let entry = entries[name] else { continue }
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(name.jsonStringLiteral):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
            offset += entry.bytes.count
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var file = Data(capacity: 8 + headerBytes.count + offset)
        file.append(contentsOf: Self.littleEndianBytes([UInt64(headerBytes.count)]))
        file.append(contentsOf: headerBytes)
        for name in names { file.append(contentsOf: entries[name]?.bytes ?? []) }
        return file
    }

    /// Writes `serialized()` to `url`, replacing any file there.
    public func write(to url: URL) throws {
        try serialized().write(to: url, options: .atomic)
    }

    /// `values` as consecutive little-endian bytes.
    public static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
