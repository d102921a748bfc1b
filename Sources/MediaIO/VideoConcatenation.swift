import CFFmpeg
import Foundation

/// Joins video files made by the same writer settings (the time shards of one `segment` run) into one file
/// without re-encoding: the packets of each input's first video stream are copied in order, each input's
/// timestamps shifted so that it follows the previous one's last frame (a shard's first frame is at its
/// start time, or at 0 when the container reset it; both join the same way). Only the video stream is kept.
///
/// Inputs must share codec, picture size and pixel format (`MediaError.unsupportedOutput` names the first
/// input that does not); a piece holding no stream at all (a shard past the last frame) is passed over. The output's container comes from its extension, as for `VideoWriter`. Blocking;
/// every FFmpeg object is freed before `join` returns.
public enum VideoConcatenation {
    /// Copies the video packets of `inputs` in order into `output`; returns the number of packets (frames) copied.
    public static func join(_ inputs: [String], into output: String) throws -> Int {
        guard let first = inputs.first else { throw MediaError.unsupportedOutput(output, reason: "no inputs to join") }
        let ext = (output as NSString).pathExtension.lowercased()
        guard let muxerName = VideoOutputFormat.muxer(forExtension: ext) else {
            throw MediaError.unsupportedOutput(output, reason: "unknown video format .\(ext)")
        }
        var outputContext: UnsafeMutablePointer<AVFormatContext>? = nil
        var status = avformat_alloc_output_context2(&outputContext, nil, muxerName, output)
        guard status >= 0, let context = outputContext else {
            throw MediaError.unsupportedOutput(output, reason: "cannot create a \(muxerName) output (\(ffmpegErrorText(status)))")
        }
        var headerWritten = false
        defer {
            if context.pointee.oformat.pointee.flags & CLIPSEG_AVFMT_NOFILE == 0 { avio_closep(&context.pointee.pb) }
            avformat_free_context(context)
        }
        guard let stream = avformat_new_stream(context, nil) else { throw MediaError.writeFailed(output, reason: "cannot add a stream") }
        var reference: UnsafeMutablePointer<AVCodecParameters>? = avcodec_parameters_alloc()
        defer { avcodec_parameters_free(&reference) }
        guard let packet = av_packet_alloc() else { throw MediaError.writeFailed(output, reason: "out of memory") }
        var packetToFree: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packetToFree) }

        var copied = 0
        // In the output stream's time base: where the previous input ended, and the last decode time written.
        var previousEnd: Int64 = 0
        var lastDTS: Int64?
        for path in inputs {
            // A shard past the input's last frame holds no stream at all: nothing to copy.
            guard let input = try InputFile.open(path) else { continue }
            defer { input.close() }
            let parameters = input.stream.pointee.codecpar!
            if !headerWritten {
                avcodec_parameters_copy(reference, parameters)
                avcodec_parameters_copy(stream.pointee.codecpar, parameters)
                stream.pointee.codecpar.pointee.codec_tag = 0
                stream.pointee.time_base = input.stream.pointee.time_base
                stream.pointee.avg_frame_rate = input.stream.pointee.avg_frame_rate
                if context.pointee.oformat.pointee.flags & CLIPSEG_AVFMT_NOFILE == 0 {
                    status = avio_open(&context.pointee.pb, output, AVIO_FLAG_WRITE)
                    if status < 0 { throw MediaError.writeFailed(output, reason: ffmpegErrorText(status)) }
                }
                status = avformat_write_header(context, nil)
                if status < 0 { throw MediaError.writeFailed(output, reason: ffmpegErrorText(status)) }
                headerWritten = true
            } else if let reference, !matches(parameters, reference.pointee) {
                throw MediaError.unsupportedOutput(output, reason: "\(path) has another codec, picture size or pixel "
                                                   + "format than \(first); only pieces of one run join without re-encoding")
            }
            let outputBase = stream.pointee.time_base
            let inputBase = input.stream.pointee.time_base
            // The shift that puts this input's first frame where the previous input ended.
            var shift: Int64?
            // A frame's length when packets carry none (MP4 from our writer): one period of the nominal rate.
            let rate = input.stream.pointee.avg_frame_rate.num > 0 ? input.stream.pointee.avg_frame_rate
                                                                   : input.stream.pointee.r_frame_rate
            let period = rate.num > 0 ? max(1, av_rescale_q(1, av_inv_q(rate), outputBase)) : 1
            var end = previousEnd
            while true {
                status = av_read_frame(input.context, packet)
                if status == CLIPSEG_AVERROR_EOF { break }
                if status < 0 { throw MediaError.unreadable(path, reason: ffmpegErrorText(status)) }
                defer { av_packet_unref(packet) }
                guard packet.pointee.stream_index == input.streamIndex else { continue }
                av_packet_rescale_ts(packet, inputBase, outputBase)
                let none = CLIPSEG_AV_NOPTS_VALUE
                if packet.pointee.pts == none { packet.pointee.pts = packet.pointee.dts }
                if packet.pointee.pts == none { continue }
                if shift == nil {
                    var value = previousEnd - packet.pointee.pts
                    // Decode times stay increasing across the seam (B-frames put a file's first dts before its pts).
                    if packet.pointee.dts != none, let lastDTS, packet.pointee.dts + value <= lastDTS {
                        value = lastDTS + 1 - packet.pointee.dts
                    }
                    shift = copied == 0 ? 0 : value
                }
                packet.pointee.pts += shift!
                // Matroska leaves the first packets' decode times unset: each gets the tick after the previous one.
                if packet.pointee.dts == none {
                    packet.pointee.dts = lastDTS.map { $0 + 1 } ?? packet.pointee.pts
                } else {
                    packet.pointee.dts += shift!
                }
                if let lastDTS, packet.pointee.dts <= lastDTS { packet.pointee.dts = lastDTS + 1 }
                if packet.pointee.pts < packet.pointee.dts { packet.pointee.pts = packet.pointee.dts }
                lastDTS = packet.pointee.dts
                end = max(end, packet.pointee.pts + (packet.pointee.duration > 0 ? packet.pointee.duration : period))
                packet.pointee.stream_index = 0
                packet.pointee.pos = -1
                status = av_write_frame(context, packet)
                if status < 0 { throw MediaError.writeFailed(output, reason: ffmpegErrorText(status)) }
                copied += 1
            }
            previousEnd = end
        }
        guard headerWritten else { throw MediaError.unsupportedOutput(output, reason: "no piece holds a video frame") }
        status = av_write_trailer(context)
        if status < 0 { throw MediaError.writeFailed(output, reason: ffmpegErrorText(status)) }
        if let pb = context.pointee.pb, pb.pointee.error < 0 {
            throw MediaError.writeFailed(output, reason: ffmpegErrorText(pb.pointee.error))
        }
        return copied
    }

    private static func matches(_ a: UnsafeMutablePointer<AVCodecParameters>, _ b: AVCodecParameters) -> Bool {
        a.pointee.codec_id == b.codec_id && a.pointee.width == b.width && a.pointee.height == b.height
            && a.pointee.format == b.format
    }

    /// One input opened for reading packets of its first video stream.
    private final class InputFile {
        var context: UnsafeMutablePointer<AVFormatContext>?
        let stream: UnsafeMutablePointer<AVStream>
        let streamIndex: Int32

        /// Opens `path`; nil when the file holds no stream at all (a writer that got no frame).
        static func open(_ path: String) throws -> InputFile? {
            var context: UnsafeMutablePointer<AVFormatContext>? = nil
            let status = avformat_open_input(&context, path, nil, nil)
            guard status >= 0, let opened = context else {
                if status == averror(ENOENT) { throw MediaError.noSuchFile(path) }
                throw MediaError.notMedia(path, reason: ffmpegErrorText(status))
            }
            if opened.pointee.nb_streams == 0 {
                avformat_close_input(&context)
                return nil
            }
            return try InputFile(path: path, context: opened)
        }

        private init(path: String, context opened: UnsafeMutablePointer<AVFormatContext>) throws {
            var context: UnsafeMutablePointer<AVFormatContext>? = opened
            let status = avformat_find_stream_info(opened, nil)
            let index = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
            guard status >= 0, index >= 0, let stream = opened.pointee.streams[Int(index)] else {
                avformat_close_input(&context)
                throw MediaError.noVideoStream(path)
            }
            self.context = opened
            self.stream = stream
            streamIndex = index
        }

        func close() { avformat_close_input(&context) }
    }
}
