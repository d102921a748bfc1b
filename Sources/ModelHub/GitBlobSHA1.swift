/// Git's blob id of a file: SHA-1 (FIPS 180-4) of `blob <size>\0` followed by the file's bytes, as the hub
/// lists it (`blobId`) for files kept in git rather than LFS. Fed in pieces like `SHA256`; the state is a value.
public struct GitBlobSHA1: Sendable {
    private var state: State = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0)
    private var buffer = HashBlockBuffer()

    /// Starts the hash of a blob of `size` bytes (the header git puts before the content).
    public init(size: Int64) {
        update(Array("blob \(size)\0".utf8))
    }

    /// Plain SHA-1 of whatever is added (no git header), for checking against known vectors.
    public init(plain: Void) {}

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        withContiguousBytes(bytes) { update(buffer: $0) }
    }

    public mutating func update(buffer raw: UnsafeRawBufferPointer) {
        var state = self.state
        buffer.feed(raw) { Self.compress($0, into: &state) }
        self.state = state
    }

    /// The 40 lower-case hex digits of the digest; the value is spent afterwards.
    public mutating func finalizeHex() -> String {
        var state = self.state
        buffer.finish { Self.compress($0, into: &state) }
        let words = [state.0, state.1, state.2, state.3, state.4]
        return words.flatMap { word in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> UInt32($0)) } }.hexDigits
    }

    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32)

    private static func compress(_ bytes: UnsafePointer<UInt8>, into state: inout State) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for i in 0..<16 {
                w[i] = UInt32(bytes[4 * i]) << 24 | UInt32(bytes[4 * i + 1]) << 16
                    | UInt32(bytes[4 * i + 2]) << 8 | UInt32(bytes[4 * i + 3])
            }
            for i in 16..<80 { w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotatedLeft(1) }
            var (a, b, c, d, e) = state
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32)
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5a82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ed9_eba1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc)
                default: (f, k) = (b ^ c ^ d, 0xca62_c1d6)
                }
                let t = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[i]
                e = d; d = c; c = b.rotatedLeft(30); b = a; a = t
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
        }
    }
}
