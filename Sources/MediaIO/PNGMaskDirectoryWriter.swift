import CFFmpeg
import FileSafety
import Foundation

/// Masks as 8-bit gray PNG files in a folder, `00000.png`, `00001.png`, … in writing order (or named by
/// another `FrameNamePattern`). The folder is created when missing; files are written in place.
public final class PNGMaskDirectoryWriter: MaskStreamWriter, @unchecked Sendable {
    public let width: Int
    public let height: Int
    /// The folder written into.
    public let folder: String
    /// Masks written so far (the next file's number).
    public private(set) var count = 0
    private var encoder: PNGEncoder?

    /// How mask files are named.
    public let pattern: FrameNamePattern

    public init(folder: String, pattern: FrameNamePattern = FrameNamePattern.fiveDigitPNG, width: Int, height: Int) throws {
        self.width = width
        self.height = height
        self.folder = folder
        self.pattern = pattern
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw MediaError.writeFailed(folder, reason: "cannot create the folder")
        }
        encoder = try PNGEncoder(width: width, height: height, format: AV_PIX_FMT_GRAY8, name: folder)
    }

    /// The path of mask number `index`.
    public func path(ofMask index: Int) -> String {
        (folder as NSString).appendingPathComponent(pattern.name(of: index))
    }

    public func write(_ mask: ArraySlice<UInt8>) throws {
        guard let encoder else { throw MediaError.writeFailed(folder, reason: "writer already finished") }
        try checkLength(mask, output: folder)
        let bytes = try encoder.encode(Array(mask))
        let output = try FileDescriptorWriter(path: path(ofMask: count))
        try output.write(bytes)
        try output.close()
        count += 1
    }

    public func finish() throws { encoder = nil }
}
