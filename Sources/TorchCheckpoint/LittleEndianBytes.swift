/// Bounds-checked reads of little-endian integers from borrowed bytes: every read outside the buffer
/// answers nil instead of trapping, so a damaged file can only produce an error.
struct LittleEndianBytes {
    let buffer: UnsafeRawBufferPointer

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var count: Int { buffer.count }

    func uint8(at offset: Int) -> UInt8? { offset >= 0 && offset < buffer.count ? buffer[offset] : nil }
    func uint16(at offset: Int) -> UInt16? { load(UInt16.self, at: offset) }
    func uint32(at offset: Int) -> UInt32? { load(UInt32.self, at: offset) }
    func uint64(at offset: Int) -> UInt64? { load(UInt64.self, at: offset) }

    /// `count` bytes from `offset`, nil when they are not all inside the buffer.
    func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= buffer.count, count <= buffer.count - offset else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    private func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= buffer.count - size, let base = buffer.baseAddress else { return nil }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
