import VideoFrames

/// A failure reading or writing media, with a one-line description that names the file.
///
/// `description` is meant to be printed as is (`clipseg: <description>`), e.g.
/// `input.mp4: no such file` or
/// `notes.mp4: not a media file FFmpeg can read (Invalid data found when processing input)`.
public enum MediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input path does not exist.
    case noSuchFile(String)
    /// The input exists but cannot be opened (permissions, a folder, a network error); `reason` is the system's words.
    case unreadable(String, reason: String)
    /// FFmpeg cannot make sense of the input's bytes.
    case notMedia(String, reason: String)
    /// The input holds no video stream (an audio file, a subtitle file).
    case noVideoStream(String)
    /// The input's video codec has no decoder in this FFmpeg build (or is unknown).
    case noDecoder(String, codec: String)
    /// Decoding failed for good (a still image that does not decode, a decoder that cannot open).
    case decodeFailed(String, reason: String)
    /// The output needs an encoder this FFmpeg build lacks, or one that refuses the settings.
    case noEncoder(String, codec: String)
    /// The output name or options cannot be served (unknown extension, no alpha in that format, …).
    case unsupportedOutput(String, reason: String)
    /// Writing an output failed (disk full, permission denied, …).
    case writeFailed(String, reason: String)
    /// The reader of a pipe (usually standard output) went away (EPIPE). Callers end cleanly, exit 0.
    case outputClosed(String)
    /// An output device stopped taking frames for good (ENODEV, EIO: a virtual camera's module was
    /// unloaded, a device unplugged); `reason` is the system's words.
    case deviceGone(String, reason: String)
    /// A frame handed to a writer does not match it (size, plane length).
    case invalidFrame(String, reason: String)
    /// The input's pictures are larger than the pixel limit (`PixelLimit`): `width × height` > `limit`.
    case tooManyPixels(String, width: Int, height: Int, limit: Int)
    /// Options given for opening the input that neither its demuxer nor its protocol knows; `valid` lists
    /// those they do know, sorted.
    case unknownInputOptions(String, keys: [String], valid: [String])
    /// A live stream ended, failed or stalled while being read; `reason` says which.
    case streamLost(String, reason: String)

    public var description: String {
        switch self {
        case .noSuchFile(let name): return "\(name): no such file"
        case .unreadable(let name, let reason): return "\(name): cannot read (\(reason))"
        case .notMedia(let name, let reason): return "\(name): not a media file FFmpeg can read (\(reason))"
        case .noVideoStream(let name): return "\(name): no video stream"
        case .noDecoder(let name, let codec): return "\(name): no decoder for codec \(codec)"
        case .decodeFailed(let name, let reason): return "\(name): cannot decode (\(reason))"
        case .noEncoder(let name, let codec): return "\(name): no usable encoder \(codec)"
        case .unsupportedOutput(let name, let reason): return "\(name): \(reason)"
        case .writeFailed(let name, let reason): return "\(name): write failed (\(reason))"
        case .outputClosed(let name): return "\(name): closed by the reader"
        case .deviceGone(let name, let reason): return "\(name): the device went away (\(reason))"
        case .invalidFrame(let name, let reason): return "\(name): \(reason)"
        case .tooManyPixels(let name, let width, let height, let limit):
            return "\(name): pictures of \(width)×\(height) pixels are more than the limit of \(limit) pixels"
        case .unknownInputOptions(let name, let keys, let valid):
            let plural = keys.count == 1 ? "option" : "options"
            return "\(name): unknown input \(plural) \(keys.joined(separator: ", ")); "
                + "valid for this input: \(valid.joined(separator: ", "))"
        case .streamLost(let name, let reason): return "\(name): stream lost (\(reason))"
        }
    }
}

extension MediaError: OutputClosedError {
    /// `.outputClosed`: the reader of a pipe went away.
    public var isOutputClosed: Bool {
        if case .outputClosed = self { return true }
        return false
    }
}
