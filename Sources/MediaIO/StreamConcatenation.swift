import Foundation

/// Joins the pieces of one byte stream written in parts (the time shards of one `segment` run), in order,
/// into a new file, copying in 1 MiB chunks:
/// - `.y4mMasks`: YUV4MPEG2 mask streams (`Y4MMaskWriter`): the first piece's header line once, then every
///   piece's frames; every piece must have the same header (size, rate), else `MediaError.invalidFrame`
///   names the piece.
/// - `.rawBytes`: raw gray masks (`RawGrayMaskWriter`): the pieces' bytes one after the other.
/// - `.ndjson`: statistics (`StatisticsWriter`): the pieces' lines one after the other (a piece not ending in a
///   newline gets one).
///
/// The output file is created (an existing one is truncated): callers write to a temporary name and rename.
public enum StreamConcatenation {
    public enum Kind: Sendable { case y4mMasks, rawBytes, ndjson }

    private static let chunk = 1 << 20

    /// Writes the pieces at `inputs` into `output`; returns the number of bytes written.
    @discardableResult
    public static func join(_ inputs: [String], into output: String, kind: Kind) throws -> Int {
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let destination = FileHandle(forWritingAtPath: output) else {
            throw MediaError.writeFailed(output, reason: "cannot create the file")
        }
        defer { try? destination.close() }
        var written = 0
        var firstHeader: Data?
        func write(_ data: Data) throws {
            do { try destination.write(contentsOf: data) } catch {
                throw MediaError.writeFailed(output, reason: error.localizedDescription)
            }
            written += data.count
        }
        for path in inputs {
            guard let source = FileHandle(forReadingAtPath: path) else {
                throw FileManager.default.fileExists(atPath: path) ? MediaError.unreadable(path, reason: "permission denied")
                                                                   : MediaError.noSuchFile(path)
            }
            defer { try? source.close() }
            var pending = Data()
            if kind == .y4mMasks {
                // The header line: at most a few hundred bytes.
                while !pending.contains(10), let more = try source.read(upToCount: 4096), !more.isEmpty { pending += more }
                guard let newline = pending.firstIndex(of: 10), pending.starts(with: Data("YUV4MPEG2 ".utf8)) else {
                    throw MediaError.invalidFrame(path, reason: "not a YUV4MPEG2 mask stream")
                }
                let header = pending[pending.startIndex...newline]
                if let firstHeader {
                    guard header == firstHeader else {
                        throw MediaError.invalidFrame(path, reason: "its YUV4MPEG2 header differs from the first piece's "
                                                      + "(\(String(decoding: firstHeader.dropLast(), as: UTF8.self)))")
                    }
                } else {
                    firstHeader = Data(header)
                    try write(header)
                }
                pending = Data(pending[(newline + 1)...])
            }
            var last: UInt8?
            if !pending.isEmpty { try write(pending); last = pending.last }
            while let data = try source.read(upToCount: chunk), !data.isEmpty {
                try write(data)
                last = data.last
            }
            if kind == .ndjson, let last, last != 10 { try write(Data([10])) }
        }
        return written
    }
}
