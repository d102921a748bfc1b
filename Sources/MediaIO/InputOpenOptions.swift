/// How a `VideoFileSource` opens its input: the demuxer and protocol options (FFmpeg AVOptions) and the
/// stall timeout. Network inputs get low-latency defaults (`lowLatencyDefaults`) that `formatOptions`
/// override key by key; files and standard input get only what the caller gives.
public struct InputOpenOptions: Sendable, Equatable {
    /// RTSP's media transport: interleaved in the TCP connection (the default: passes firewalls and NAT,
    /// loses nothing) or RTP over UDP (lower latency on a clean network).
    public enum RTSPTransport: String, Sendable, CaseIterable { case tcp, udp }

    /// AVOptions for `avformat_open_input`, in the order given (`probesize=65536`, `user_agent=…`). Keys the
    /// input's demuxer and protocol do not know are refused (`MediaError.unknownInputOptions`).
    public var formatOptions: [(key: String, value: String)]
    /// For `rtsp://` inputs.
    public var rtspTransport: RTSPTransport
    /// Seconds a network read (or the opening) may wait for data before the input counts as stalled; nil
    /// waits for ever. Default 10.
    public var stallTimeout: Double?

    public init(formatOptions: [(key: String, value: String)] = [], rtspTransport: RTSPTransport = .tcp,
                stallTimeout: Double? = 10) {
        self.formatOptions = formatOptions
        self.rtspTransport = rtspTransport
        self.stallTimeout = stallTimeout
    }

    public static func == (a: InputOpenOptions, b: InputOpenOptions) -> Bool {
        a.rtspTransport == b.rtspTransport && a.stallTimeout == b.stallTimeout
            && a.formatOptions.map(\.key) == b.formatOptions.map(\.key)
            && a.formatOptions.map(\.value) == b.formatOptions.map(\.value)
    }

    /// What a live network input is opened with unless overridden: no input buffering (`fflags nobuffer`),
    /// a small probe (256 KiB, half a second of stream) so the first frame is not held back, and the
    /// decoder's low-delay mode (`flags low_delay`, set on the video stream decoder).
    static let lowLatencyDefaults: [(key: String, value: String)] = [
        ("fflags", "nobuffer"), ("probesize", "262144"), ("analyzeduration", "500000"),
    ]

    /// The options handed to `avformat_open_input` for `location`: defaults for its kind, then the caller's.
    func dictionaryEntries(for location: InputLocation) -> [(key: String, value: String)] {
        var entries: [(key: String, value: String)] = []
        if location.isNetwork {
            entries += InputOpenOptions.lowLatencyDefaults
            if location.scheme == "rtsp" || location.scheme == "rtsps" {
                entries.append(("rtsp_transport", rtspTransport.rawValue))
            }
        }
        for (key, value) in formatOptions {
            entries.removeAll { $0.key == key }
            entries.append((key, value))
        }
        return entries
    }

    /// True when the video stream decoder should run in low-delay mode (network inputs, unless the caller
    /// set `flags` itself).
    func lowDelayDecoding(for location: InputLocation) -> Bool {
        location.isNetwork
    }
}
