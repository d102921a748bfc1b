import CFFmpeg

/// The FFmpeg libraries this process runs on, as they report themselves at run time (the shared libraries
/// loaded, which may be newer than the headers the program was built against).
public enum FFmpegVersions {
    /// FFmpeg's release as its build names it (`av_version_info()`), e.g. `5.1.6-0+deb12u1`.
    public static var release: String {
        av_version_info().map { String(cString: $0) } ?? "unknown"
    }

    /// Each library MediaIO links, with its `major.minor.micro` version, e.g. `("libavcodec", "59.37.100")`.
    public static var libraries: [(name: String, version: String)] {
        [("libavcodec", avcodec_version()), ("libavformat", avformat_version()),
         ("libavutil", avutil_version()), ("libswscale", swscale_version())]
            .map { (name: $0.0, version: dotted($0.1)) }
    }

    /// `59.37.100` for FFmpeg's packed `AV_VERSION_INT(59, 37, 100)`.
    static func dotted(_ packed: UInt32) -> String {
        "\(packed >> 16).\((packed >> 8) & 0xff).\(packed & 0xff)"
    }
}
