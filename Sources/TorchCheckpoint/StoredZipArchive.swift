import UserText

/// The entries of a ZIP archive whose members are stored uncompressed, as `torch.save` writes them,
/// located in memory that the caller keeps alive (a memory-mapped file).
///
/// Reads the end-of-central-directory record (and its ZIP64 form, which large checkpoints use), then
/// every central-directory entry, then each entry's local header to find where its bytes begin. Every
/// offset and length is checked against the archive's size before it is used; a compressed or encrypted
/// member is recorded and refused only when it is read.
struct StoredZipArchive {
    /// One member: where its bytes lie in the archive and how they are stored.
    struct Entry: Equatable {
        let name: String
        /// Offset of the first data byte from the start of the archive.
        let dataOffset: Int
        let size: Int
        /// 0 = stored; anything else cannot be memory-mapped and is refused when read.
        let method: UInt16
        let encrypted: Bool
    }

    /// Members by name.
    let entries: [String: Entry]

    /// Parses the directory of `bytes` (the whole archive). Throws `TorchCheckpointError.Kind` cases.
    init(bytes: UnsafeRawBufferPointer) throws(TorchCheckpointError.Kind) {
        let reader = LittleEndianBytes(bytes)
        let end = try Self.endOfCentralDirectory(reader)
        var entries: [String: Entry] = [:]
        var offset = end.directoryOffset
        for _ in 0..<end.entryCount {
            guard reader.uint32(at: offset) == 0x0201_4B50 else {
                throw .notAZipArchive("central directory entry at byte \(offset) is damaged")
            }
            guard let flags = reader.uint16(at: offset + 8), let method = reader.uint16(at: offset + 10),
                  let compressed32 = reader.uint32(at: offset + 20), let size32 = reader.uint32(at: offset + 24),
                  let nameLength = reader.uint16(at: offset + 28), let extraLength = reader.uint16(at: offset + 30),
                  let commentLength = reader.uint16(at: offset + 32), let local32 = reader.uint32(at: offset + 42),
                  let nameBytes = reader.bytes(at: offset + 46, count: Int(nameLength)),
                  let extra = reader.bytes(at: offset + 46 + Int(nameLength), count: Int(extraLength)) else {
                throw .notAZipArchive("central directory entry at byte \(offset) runs past the end")
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            var size = UInt64(size32), compressed = UInt64(compressed32), local = UInt64(local32)
            Self.applyZip64(extra: extra, size: &size, compressed: &compressed, localOffset: &local)
            guard let localOffset = Int(exactly: local), let dataSize = Int(exactly: compressed) else {
                throw .notAZipArchive("member '\(name.escapingControlCharactersAsCodePoints)' has an offset past any file")
            }
            guard reader.uint32(at: localOffset) == 0x0403_4B50,
                  let localName = reader.uint16(at: localOffset + 26), let localExtra = reader.uint16(at: localOffset + 28) else {
                throw .notAZipArchive("member '\(name.escapingControlCharactersAsCodePoints)' has no local header at byte \(localOffset)")
            }
            let dataOffset = localOffset + 30 + Int(localName) + Int(localExtra)
            guard dataOffset <= bytes.count, dataSize <= bytes.count - dataOffset else {
                throw .notAZipArchive("member '\(name.escapingControlCharactersAsCodePoints)' (\(dataSize) bytes at \(dataOffset)) runs past the end of the file")
            }
            guard method != 0 || size == compressed else {
                throw .notAZipArchive("stored member '\(name.escapingControlCharactersAsCodePoints)' has \(compressed) bytes but says it holds \(size)")
            }
            guard entries[name] == nil else { throw .notAZipArchive("member '\(name.escapingControlCharactersAsCodePoints)' appears twice") }
            entries[name] = Entry(name: name, dataOffset: dataOffset, size: dataSize,
                                  method: method, encrypted: flags & 1 != 0)
            offset += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        self.entries = entries
    }

    /// The bytes of a stored member (a slice of the caller's memory, valid while it is).
    func bytes(of entry: Entry, in archive: UnsafeRawBufferPointer) throws(TorchCheckpointError.Kind) -> UnsafeRawBufferPointer {
        guard entry.method == 0, !entry.encrypted else {
            throw .unsupportedArchive("member '\(entry.name.escapingControlCharactersAsCodePoints)' is \(entry.encrypted ? "encrypted" : "compressed (method \(entry.method))"); torch.save stores members uncompressed")
        }
        return UnsafeRawBufferPointer(rebasing: archive[entry.dataOffset..<entry.dataOffset + entry.size])
    }

    private struct EndRecord {
        let entryCount: Int
        let directoryOffset: Int
    }

    /// Finds the end-of-central-directory record in the last 64 KiB + 22 bytes, following the ZIP64 locator
    /// when the 32-bit fields are saturated.
    private static func endOfCentralDirectory(_ reader: LittleEndianBytes) throws(TorchCheckpointError.Kind) -> EndRecord {
        let count = reader.count
        guard count >= 22 else { throw .notAZipArchive("too short for a ZIP archive (\(count) bytes)") }
        var position = count - 22
        let lowest = max(0, count - 22 - 65_535)
        while position >= lowest, reader.uint32(at: position) != 0x0605_4B50 { position -= 1 }
        guard position >= lowest, let entries16 = reader.uint16(at: position + 10),
              let offset32 = reader.uint32(at: position + 16) else {
            throw .notAZipArchive("no end-of-central-directory record")
        }
        var entryCount = UInt64(entries16), directoryOffset = UInt64(offset32)
        if entries16 == 0xFFFF || offset32 == 0xFFFF_FFFF {
            guard position >= 20, reader.uint32(at: position - 20) == 0x0706_4B50,
                  let record = reader.uint64(at: position - 12).flatMap({ Int(exactly: $0) }),
                  reader.uint32(at: record) == 0x0606_4B50,
                  let entries64 = reader.uint64(at: record + 32), let offset64 = reader.uint64(at: record + 48) else {
                throw .notAZipArchive("the ZIP64 end-of-central-directory record is missing or damaged")
            }
            entryCount = entries64
            directoryOffset = offset64
        }
        // Each central entry takes at least 46 bytes, which bounds the count by the file size.
        guard let offset = Int(exactly: directoryOffset), offset < count,
              let entryTotal = Int(exactly: entryCount), entryTotal <= (count - offset) / 46 else {
            throw .notAZipArchive("the central directory (\(entryCount) entries at byte \(directoryOffset)) does not fit in the file")
        }
        return EndRecord(entryCount: entryTotal, directoryOffset: offset)
    }

    /// Replaces the saturated 32-bit fields by those of the ZIP64 extended-information extra field
    /// (id 1), which lists only the saturated ones, in the order size, compressed size, local offset.
    private static func applyZip64(extra: UnsafeRawBufferPointer, size: inout UInt64, compressed: inout UInt64,
                                   localOffset: inout UInt64) {
        let reader = LittleEndianBytes(extra)
        var position = 0
        while let id = reader.uint16(at: position), let length = reader.uint16(at: position + 2) {
            let body = position + 4
            if id == 1 {
                var fields = [size, compressed, localOffset]
                var field = body
                for index in fields.indices where fields[index] == 0xFFFF_FFFF {
                    guard field + 8 <= body + Int(length), let wide = reader.uint64(at: field) else { break }
                    fields[index] = wide
                    field += 8
                }
                (size, compressed, localOffset) = (fields[0], fields[1], fields[2])
                return
            }
            position = body + Int(length)
        }
    }
}
