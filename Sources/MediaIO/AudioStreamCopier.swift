import CFFmpeg

/// Copies the audio streams of an input file into a muxer packet for packet (no decoding), reading
/// only as far as the video written so far, so the output stays interleaved without holding the
/// whole soundtrack in memory. Timestamps are shifted by the input's start time, the same origin
/// `VideoFileSource` gives its frames. Internal to `VideoWriter`.
final class AudioStreamCopier {
    /// One-line notes about streams that could not be copied.
    private(set) var warnings: [String] = []
    /// Number of audio streams being copied.
    var streamCount: Int { mapping.count }

    private var input: UnsafeMutablePointer<AVFormatContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// Input stream index → output stream.
    private var mapping: [Int32: UnsafeMutablePointer<AVStream>] = [:]
    /// Input start time in seconds.
    private var startTime: Double = 0
    /// A packet read beyond the last limit, waiting for the video to catch up.
    private var holdingPacket = false
    private var exhausted = false

    /// Opens `source` and adds one output stream per audio stream the muxer can carry.
    /// Never throws: an input that cannot be re-read only yields a warning.
    init(source: String, muxer: OutputMuxer) {
        let location = InputLocation(source)
        if location.kind == .standardInput {
            warnings.append("\(muxer.name): audio not copied (standard input cannot be read twice)")
            return
        }
        if location.isLive(durationKnown: true) {
            warnings.append("\(muxer.name): audio not copied (\(source) is a live stream)")
            return
        }
        guard let output = muxer.context else { return }
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        var status = avformat_open_input(&context, location.ffmpegURL, nil, nil)
        guard status >= 0, let context else {
            warnings.append("\(muxer.name): audio not copied from \(source) (\(ffmpegErrorText(status)))")
            return
        }
        input = context
        status = avformat_find_stream_info(context, nil)
        if status < 0 {
            warnings.append("\(muxer.name): audio not copied from \(source) (\(ffmpegErrorText(status)))")
            close()
            return
        }
        if context.pointee.start_time != CLIPSEG_AV_NOPTS_VALUE {
            startTime = Double(context.pointee.start_time) / Double(CLIPSEG_AV_TIME_BASE)
        }
        for index in 0..<Int(context.pointee.nb_streams) {
            guard let stream = context.pointee.streams[index] else { continue }
            let parameters = stream.pointee.codecpar!
            guard parameters.pointee.codec_type == AVMEDIA_TYPE_AUDIO else {
                stream.pointee.discard = AVDISCARD_ALL
                continue
            }
            let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            guard avformat_query_codec(output.pointee.oformat, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1,
                  let outStream = try? muxer.addStream(),
                  avcodec_parameters_copy(outStream.pointee.codecpar, parameters) >= 0 else {
                warnings.append("\(muxer.name): audio stream \(index) (\(codecName)) cannot be copied into \(muxer.format.muxer); dropped")
                stream.pointee.discard = AVDISCARD_ALL
                continue
            }
            outStream.pointee.codecpar.pointee.codec_tag = 0
            outStream.pointee.time_base = stream.pointee.time_base
            outStream.pointee.disposition = stream.pointee.disposition
            av_dict_copy(&outStream.pointee.metadata, stream.pointee.metadata, 0)
            mapping[Int32(index)] = outStream
        }
        if mapping.isEmpty {
            close()
        } else {
            packet = av_packet_alloc()
        }
    }

    deinit { close() }

    /// Writes every audio packet that starts before `limit` seconds (all of them for `.infinity`).
    func copy(upTo limit: Double, through muxer: OutputMuxer) throws {
        guard let input, let packet, !exhausted else { return }
        while true {
            if !holdingPacket {
                if av_read_frame(input, packet) < 0 {
                    exhausted = true
                    return
                }
                guard mapping[packet.pointee.stream_index] != nil else {
                    av_packet_unref(packet)
                    continue
                }
                holdingPacket = true
            }
            let inStream = input.pointee.streams[Int(packet.pointee.stream_index)]!
            let inBase = inStream.pointee.time_base
            let stamp = packet.pointee.pts != CLIPSEG_AV_NOPTS_VALUE ? packet.pointee.pts : packet.pointee.dts
            if stamp != CLIPSEG_AV_NOPTS_VALUE, Double(stamp) * av_q2d(inBase) - startTime >= limit { return }
            holdingPacket = false
            defer { av_packet_unref(packet) }
            let outStream = mapping[packet.pointee.stream_index]!
            let shift = Int64((startTime / av_q2d(inBase)).rounded())
            if packet.pointee.pts != CLIPSEG_AV_NOPTS_VALUE { packet.pointee.pts -= shift }
            if packet.pointee.dts != CLIPSEG_AV_NOPTS_VALUE { packet.pointee.dts -= shift }
            av_packet_rescale_ts(packet, inBase, outStream.pointee.time_base)
            packet.pointee.stream_index = outStream.pointee.index
            packet.pointee.pos = -1
            try muxer.write(packet)
        }
    }

    /// Frees the input. Idempotent.
    func close() {
        av_packet_free(&packet)
        avformat_close_input(&input)
        exhausted = true
    }
}
