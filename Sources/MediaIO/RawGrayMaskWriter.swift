/// Masks as headerless gray8 bytes, `width * height` per frame, back to back (`ffmpeg -f rawvideo
/// -pix_fmt gray -s WxH -i …` reads them). To a file or standard output (`-`).
public final class RawGrayMaskWriter: MaskStreamWriter, @unchecked Sendable {
    public let width: Int
    public let height: Int
    private let output: FileDescriptorWriter
    private var finished = false

    public init(path: String, width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidFrame(path, reason: "cannot write \(width)x\(height) masks") }
        self.width = width
        self.height = height
        output = try FileDescriptorWriter(path: path)
    }

    public func write(_ mask: ArraySlice<UInt8>) throws {
        guard !finished else { throw MediaError.writeFailed(output.name, reason: "writer already finished") }
        try checkLength(mask, output: output.name)
        try mask.withUnsafeBytes { try output.write($0) }
    }

    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output.close()
    }
}
