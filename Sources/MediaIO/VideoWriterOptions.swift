/// How a `VideoWriter` encodes. The container and codec follow the output's name (see `VideoWriter`);
/// these settings refine that choice.
public struct VideoWriterOptions: Sendable, Equatable {
    /// Nominal frames per second: the stream's advertised rate, the encoder's rate control and
    /// keyframe spacing. Frames keep their own timestamps, so variable rates survive. Default 30.
    public var frameRate: Double
    /// The input's audio (`VideoFileSource.audio`), copied into the output packet for packet (no
    /// re-encoding) as the source demuxes it, interleaved with the video; nil copies nothing. Streams the
    /// output container cannot carry are skipped with a warning.
    public var audio: AudioPacketFeed?
    /// Writes so that a killed process still leaves a playable file: fragmented MP4
    /// (`frag_keyframe+empty_moov+default_base_moof`) or Matroska with one-second clusters, a keyframe
    /// every second, and packets flushed as they are written.
    public var fragmented: Bool
    /// Keeps an alpha channel (pass `alpha:` planes to `write`): `.mov` → ProRes 4444 (yuva444p10le),
    /// `.webm`/`.mkv`/`-` → VP9 (yuva420p), PNG sequences → RGBA. Other containers refuse it.
    public var alpha: Bool
    /// An FFmpeg muxer name (`matroska`, `nut`, `mp4`, `webm`, …) that overrides the choice by extension;
    /// mostly for `-`, which is Matroska unless told otherwise.
    public var container: String?
    /// Constant-quality level for x264 and VP9 (CRF; lower is better). Nil: 20 for x264, 32 for VP9.
    public var quality: Int?
    /// x264 speed preset (`ultrafast` … `veryslow`). Default `veryfast`; live runs use `liveX264Preset`.
    public var x264Preset: String

    /// The x264 preset for live input, where the encoder competes with the model for the cores: `ultrafast`.
    /// On the 10 s 640×480 30 fps benchmark clip (22 Mbit/s, 2 cores) at CRF 20 it costs 0.8 s of CPU
    /// against 3.7 s for `veryfast` (superfast 2.7 s), for a file 1.7× as large (PSNR 40.0 against 36.6 dB:
    /// at one CRF the faster presets spend bits, not quality).
    public static let liveX264Preset = "ultrafast"

    public init(frameRate: Double = 30, audio: AudioPacketFeed? = nil, fragmented: Bool = false, alpha: Bool = false,
                container: String? = nil, quality: Int? = nil, x264Preset: String = "veryfast") {
        self.frameRate = frameRate
        self.audio = audio
        self.fragmented = fragmented
        self.alpha = alpha
        self.container = container
        self.quality = quality
        self.x264Preset = x264Preset
    }

    public static func == (a: VideoWriterOptions, b: VideoWriterOptions) -> Bool {
        a.frameRate == b.frameRate && a.audio === b.audio && a.fragmented == b.fragmented && a.alpha == b.alpha
            && a.container == b.container && a.quality == b.quality && a.x264Preset == b.x264Preset
    }
}
