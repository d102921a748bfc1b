/// GPT-2/CLIP's reversible byte → printable-scalar table (`bytes_to_unicode`): the bytes `!`…`~`, `¡`…`¬`
/// and `®`…`ÿ` stand for themselves, the other 68 bytes map to U+0100, U+0101, … in byte order.
/// Vocabulary and merges entries are spelled in these scalars.
enum ByteLevelAlphabet {
    /// `scalars[b]` is the scalar that spells byte `b`.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar?](repeating: nil, count: 256)
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        for byte in printable { table[byte] = Unicode.Scalar(UInt8(byte)) }
        var next: UInt32 = 0x100
        for byte in 0..<256 where table[byte] == nil {
            table[byte] = Unicode.Scalar(next)
            next += 1
        }
        return table.map { $0! }  // every slot was filled by one of the two loops above
    }()

    /// The UTF-8 spelling of byte `b`'s scalar, as it appears in vocab.json and merges.txt.
    static func utf8Spelling(of byte: UInt8) -> [UInt8] {
        Array(String(Character(scalars[Int(byte)])).utf8)
    }
}
