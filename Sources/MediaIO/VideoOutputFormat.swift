import CFFmpeg
import Foundation

/// The container, encoder and pixel format a `VideoWriter` uses, decided from the output's name and
/// options. Pure: no FFmpeg object is created here.
struct VideoOutputFormat: Equatable {
    enum Codec: Equatable {
        case h264, vp9, proRes4444, png
        /// Any other encoder a container defaults to (`.ogv` → theora), by FFmpeg encoder name.
        case other(String)

        var encoderName: String {
            switch self {
            case .h264: return "libx264"
            case .vp9: return "libvpx-vp9"
            case .proRes4444: return "prores_ks"
            case .png: return "png"
            case .other(let name): return name
            }
        }
    }

    /// FFmpeg muxer name (`mp4`, `matroska`, `image2`, …).
    var muxer: String
    var codec: Codec
    var pixelFormat: AVPixelFormat
    /// What libavformat is told to open: the path, `pipe:1`, or an image pattern (`dir/%05d.png`).
    var target: String
    /// True when the output is standard output.
    var toStandardOutput: Bool
    /// True when the output cannot be sought back into: standard output, or an existing device, named pipe
    /// or socket (written in place, as a stream: fragmented MP4, Matroska without cues).
    var isStream: Bool
    /// True for image sequences (no file of our own to open; no audio).
    var isImageSequence: Bool { muxer == "image2" }

    /// Decides the format for `path` (`-` is standard output). Throws `.unsupportedOutput` for names it cannot serve.
    init(path: String, options: VideoWriterOptions) throws {
        toStandardOutput = path == "-"
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        var isDirectory: ObjCBool = false
        let existingDirectory = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        target = toStandardOutput ? "pipe:1" : path
        var node = stat()
        let special = !toStandardOutput && stat(path, &node) == 0 && ![S_IFREG, S_IFDIR].contains(node.st_mode & S_IFMT)
        isStream = toStandardOutput || special

        if options.container == nil && !toStandardOutput && (path.hasSuffix("/") || existingDirectory || (path.contains("%") && ext == "png")) {
            muxer = "image2"
            codec = .png
            pixelFormat = options.alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24
            if !path.contains("%") {
                target = (path.hasSuffix("/") ? path : path + "/") + "%05d.png"
            }
            return
        }

        // Standard output, or a device or pipe with no extension of its own (`-o /dev/null`): Matroska.
        let chosen = options.container ?? (toStandardOutput || (isStream && ext.isEmpty) ? "matroska"
                                                                                       : VideoOutputFormat.muxer(forExtension: ext))
        guard let chosen else {
            throw MediaError.unsupportedOutput(path, reason: "unknown output format \".\(ext)\" (use .mp4, .mkv, .webm, .mov, .nut, .avi, .ts, or a folder / %05d.png pattern for PNG frames)")
        }
        guard av_guess_format(chosen, nil, nil) != nil else {
            throw MediaError.unsupportedOutput(path, reason: "FFmpeg has no muxer named \"\(chosen)\"")
        }
        muxer = chosen
        if options.alpha {
            switch chosen {
            case "mov":
                codec = .proRes4444
                pixelFormat = AV_PIX_FMT_YUVA444P10LE
            case "webm", "matroska":
                codec = .vp9
                pixelFormat = AV_PIX_FMT_YUVA420P
            default:
                throw MediaError.unsupportedOutput(path, reason: "\(chosen) output cannot carry alpha; write .mov (ProRes 4444), .webm (VP9) or a PNG sequence (a folder or %05d.png)")
            }
            return
        }
        switch chosen {
        case "webm":
            codec = .vp9
        case "mp4", "mov", "matroska", "nut", "avi", "mpegts", "flv", "ismv", "ipod":
            codec = .h264
        default:
            // Whatever FFmpeg's muxer prefers (e.g. ogg → theora), if this build can encode it.
            guard let format = av_guess_format(chosen, nil, nil), format.pointee.video_codec != AV_CODEC_ID_NONE,
                  let encoder = avcodec_find_encoder(format.pointee.video_codec) else {
                throw MediaError.unsupportedOutput(path, reason: "\(chosen) output has no video encoder in this FFmpeg build")
            }
            codec = .other(String(cString: encoder.pointee.name))
        }
        pixelFormat = AV_PIX_FMT_YUV420P
    }

    /// The muxer for a file extension, or nil when unknown.
    static func muxer(forExtension ext: String) -> String? {
        switch ext {
        case "mp4", "m4v": return "mp4"
        case "mov", "qt": return "mov"
        case "mkv": return "matroska"
        case "webm": return "webm"
        case "nut": return "nut"
        case "avi": return "avi"
        case "ts", "m2ts", "mts": return "mpegts"
        case "flv": return "flv"
        case "": return nil
        default:
            guard let format = av_guess_format(nil, "x.\(ext)", nil), format.pointee.video_codec != AV_CODEC_ID_NONE else { return nil }
            return String(cString: format.pointee.name)
        }
    }

    /// True when the encoder needs even width and height (4:2:0 chroma in H.264).
    var needsEvenSize: Bool {
        codec == .h264 || pixelFormat == AV_PIX_FMT_YUV420P && codec != .vp9
    }
}
