/// Masks as a YUV4MPEG2 gray stream, self-describing so `clipseg … --masks - | ffmpeg -i - …` needs no
/// size flags: the header `YUV4MPEG2 W<w> H<h> F<n>:<d> Ip A1:1 Cmono XCOLORRANGE=FULL` (tags carry
/// their value without a space; FFmpeg reads `Cmono` as full-range gray), then per mask `FRAME\n` and
/// `width * height` bytes. To a file or standard output (`-`).
public final class Y4MMaskWriter: MaskStreamWriter, @unchecked Sendable {
    public let width: Int
    public let height: Int
    public let frameRate: FrameRateFraction
    private let output: FileDescriptorWriter
    private var buffer: [UInt8] = []
    private var finished = false

    /// Opens `path` (`-` = standard output) and writes the stream header.
    public init(path: String, width: Int, height: Int, frameRate: FrameRateFraction) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidFrame(path, reason: "cannot write \(width)x\(height) masks") }
        self.width = width
        self.height = height
        self.frameRate = frameRate
        output = try FileDescriptorWriter(path: path)
        try output.write(header + "\n")
        buffer.reserveCapacity(6 + width * height)
    }

    /// The header line this writer starts with (without the newline).
    public var header: String { "YUV4MPEG2 W\(width) H\(height) F\(frameRate) Ip A1:1 Cmono XCOLORRANGE=FULL" }

    public func write(_ mask: ArraySlice<UInt8>) throws {
        guard !finished else { throw MediaError.writeFailed(output.name, reason: "writer already finished") }
        try checkLength(mask, output: output.name)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: "FRAME\n".utf8)
        buffer.append(contentsOf: mask)
        try output.write(buffer)
    }

    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output.close()
    }
}
