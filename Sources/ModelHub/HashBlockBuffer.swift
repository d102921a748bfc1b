/// The 64-byte blocks SHA-1 and SHA-256 consume: bytes arrive in any pieces, whole blocks go to the hash's
/// compression function, the rest waits; `padding` is the Merkle–Damgård tail (0x80, zeros, the bit length
/// big-endian) that ends the message. A value owned by the hash that holds it.
struct HashBlockBuffer: Sendable {
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private(set) var totalBytes: UInt64 = 0

    /// Adds `buffer`, calling `compress` with each completed 64-byte block.
    mutating func feed(_ buffer: UnsafeRawBufferPointer, compress: (UnsafePointer<UInt8>) -> Void) {
        guard var source = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = buffer.count
        totalBytes &+= UInt64(remaining)
        if blockCount > 0 {
            let take = min(64 - blockCount, remaining)
            for i in 0..<take { block[blockCount + i] = source[i] }
            blockCount += take; source += take; remaining -= take
            guard blockCount == 64 else { return }  // all of `buffer` went into the waiting block
            block.withUnsafeBufferPointer { compress($0.baseAddress!) }
            blockCount = 0
        }
        while remaining >= 64 {
            compress(source)
            source += 64; remaining -= 64
        }
        for i in 0..<remaining { block[i] = source[i] }
        blockCount = remaining
    }

    /// Feeds the final padding (0x80, zeros up to 56 mod 64, the message length in bits).
    mutating func finish(compress: (UnsafePointer<UInt8>) -> Void) {
        let bitLength = totalBytes &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (55 - blockCount + 64) % 64)
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { feed($0, compress: compress) }
    }
}

/// Hashing any collection of bytes through a raw-buffer `update`.
func withContiguousBytes<Bytes: Collection>(_ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> Void)
    where Bytes.Element == UInt8 {
    let done = bytes.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)); return true }
    if done == nil { Array(bytes).withUnsafeBytes(body) }
}

extension UInt32 {
    @inline(__always) func rotatedRight(_ count: UInt32) -> UInt32 { (self &>> count) | (self &<< (32 &- count)) }
    @inline(__always) func rotatedLeft(_ count: UInt32) -> UInt32 { (self &<< count) | (self &>> (32 &- count)) }
}

extension Array where Element == UInt8 {
    /// The bytes as lower-case hex digits, two per byte.
    var hexDigits: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
