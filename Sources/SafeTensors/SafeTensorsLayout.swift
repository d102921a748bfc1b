import UserText

/// A whole safetensors file's bytes taken apart and validated: the 8-byte little-endian header
/// length, the header (≤ `maximumHeaderLength`, within the file, UTF-8, JSON, see `SafeTensorsHeader`)
/// and where the data section starts.
///
/// Works on any buffer, not only a mapped file, so fuzzers and tests can feed it bytes directly.
/// It keeps no pointer into `fileBytes`.
struct SafeTensorsLayout {
    /// Largest header accepted, as in the reference implementation (100 MB).
    static let maximumHeaderLength = 100_000_000

    /// Offset of the data section within the file (`8 + header length`).
    let dataStart: Int
    let header: SafeTensorsHeader

    init(fileBytes bytes: UnsafeRawBufferPointer, file: String) throws(SafeTensorsError) {
        func fail(_ kind: SafeTensorsError.Kind) -> SafeTensorsError { SafeTensorsError(kind, file: file) }

        let fileSize = bytes.count
        guard fileSize >= 8 else { throw fail(.truncated(fileSize: fileSize)) }
        let declaredLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declaredLength <= UInt64(Self.maximumHeaderLength) else {
            throw fail(.headerTooLarge(length: declaredLength, limit: Self.maximumHeaderLength))
        }
        let headerLength = Int(declaredLength)
        guard headerLength <= fileSize - 8 else { throw fail(.headerPastEnd(length: headerLength, fileSize: fileSize)) }
        dataStart = 8 + headerLength

        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart])
        if let offset = UTF8Validation.firstInvalidOffset(headerBytes) { throw fail(.headerNotUTF8(offset: offset)) }
        let json: JSONValue
        do {
            json = try JSONScanner.parse(headerBytes)
        } catch {
            throw fail(.headerNotJSON(offset: error.offset, reason: error.reason))
        }
        header = try SafeTensorsHeader(json: json, dataSize: fileSize - dataStart, file: file)
    }
}
