import CFFmpeg
import Foundation

/// A libavformat output (`AVFormatContext` + its I/O): a file, standard output through
/// `StandardOutputIO`, or an image sequence. Writes the header once streams are added, interleaves
/// packets, writes the trailer, and maps failures to `MediaError` (EPIPE → `.outputClosed`).
/// Internal to `VideoWriter`; owns every FFmpeg object it creates.
final class OutputMuxer {
    let name: String
    let format: VideoOutputFormat
    private(set) var context: UnsafeMutablePointer<AVFormatContext>?
    private var standardOutput: StandardOutputIO?
    private var headerWritten = false

    init(format: VideoOutputFormat, name: String) throws {
        self.format = format
        self.name = name
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let status = avformat_alloc_output_context2(&context, nil, format.muxer, format.target)
        guard status >= 0, let context else {
            throw MediaError.unsupportedOutput(name, reason: "cannot create a \(format.muxer) output (\(ffmpegErrorText(status)))")
        }
        self.context = context
    }

    deinit { abandon() }

    /// True when encoders must put codec headers in extradata rather than in the stream.
    var wantsGlobalHeader: Bool {
        guard let context else { return false }
        return context.pointee.oformat.pointee.flags & CLIPSEG_AVFMT_GLOBALHEADER != 0
    }

    /// Adds a stream; parameters are filled by the caller.
    func addStream() throws -> UnsafeMutablePointer<AVStream> {
        guard let context, let stream = avformat_new_stream(context, nil) else {
            throw MediaError.writeFailed(name, reason: "cannot add a stream")
        }
        return stream
    }

    /// Opens the output and writes the header. `fragmented` selects the crash-safe layout.
    func start(fragmented: Bool) throws {
        guard let context else { return }
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        switch format.muxer {
        case "mp4", "mov", "ipod", "ismv":
            let streaming = fragmented || format.isStream
            av_dict_set(&options, "movflags", streaming ? "frag_keyframe+empty_moov+default_base_moof" : "+faststart", 0)
        case "matroska", "webm":
            if fragmented || format.isStream { av_dict_set(&options, "cluster_time_limit", "1000", 0) }
        case "image2":
            av_dict_set(&options, "start_number", "0", 0)
        default:
            break
        }
        // Push packets out as they are muxed: a killed recording loses little, a pipe reader waits little.
        if fragmented || format.isStream { context.pointee.flush_packets = 1 }

        if context.pointee.oformat.pointee.flags & CLIPSEG_AVFMT_NOFILE == 0 {
            if format.toStandardOutput {
                let io = try StandardOutputIO()
                standardOutput = io
                context.pointee.pb = io.context
                context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
            } else {
                let status = avio_open(&context.pointee.pb, format.target, AVIO_FLAG_WRITE)
                if status < 0 { throw MediaError.writeFailed(name, reason: ffmpegErrorText(status)) }
            }
        }
        let status = avformat_write_header(context, &options)
        if status < 0 { throw failure(status) }
        headerWritten = true
    }

    /// Writes one packet (timestamps already in its stream's time base), interleaved with the others.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        guard let context, headerWritten else { throw MediaError.writeFailed(name, reason: "output not open") }
        let status = av_interleaved_write_frame(context, packet)
        if status < 0 { throw failure(status) }
    }

    /// Writes the trailer and closes the output. Throws on a failed trailer; frees everything either way.
    func finish() throws {
        defer { abandon() }
        guard let context, headerWritten else { return }
        headerWritten = false
        let status = av_write_trailer(context)
        if let pb = context.pointee.pb, standardOutput == nil { avio_flush(pb) }
        if status < 0 { throw failure(status) }
        if let pb = context.pointee.pb, pb.pointee.error < 0 { throw failure(pb.pointee.error) }
    }

    /// Frees the output without a trailer (after a failure, or after `finish`). Idempotent.
    func abandon() {
        guard let context else { return }
        if standardOutput != nil {
            context.pointee.pb = nil
            standardOutput?.release()
            standardOutput = nil
        } else if context.pointee.oformat.pointee.flags & CLIPSEG_AVFMT_NOFILE == 0 {
            avio_closep(&context.pointee.pb)
        }
        avformat_free_context(context)
        self.context = nil
    }

    /// `.outputClosed` when the reader of standard output went away, `.writeFailed` otherwise.
    func failure(_ status: Int32) -> MediaError {
        if standardOutput?.readerClosed == true || status == averror(EPIPE) { return .outputClosed(name) }
        return .writeFailed(name, reason: ffmpegErrorText(status))
    }
}
