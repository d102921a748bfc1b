import CFFmpeg

/// Copies the audio of an input into a muxer packet for packet (no decoding), taking the packets from the
/// input's `AudioPacketFeed` (the demuxer that gives the video) only as far as the video written so far,
/// so the output stays interleaved without holding the whole soundtrack in memory. Timestamps arrive
/// rebased to the input's start, the origin `VideoFileSource` gives its frames. Internal to `VideoWriter`.
final class AudioStreamCopier {
    /// One-line notes about streams that could not be copied.
    private(set) var warnings: [String] = []
    /// Number of audio streams being copied.
    var streamCount: Int { mapping.count }

    private var feed: AudioPacketFeed?
    private var subscriber = 0
    /// Feed stream number → output stream, and the feed stream's time base.
    private var mapping: [Int: (stream: UnsafeMutablePointer<AVStream>, timeBase: AVRational)] = [:]

    /// Adds one output stream per audio stream of `feed` the muxer can carry, and starts taking its packets.
    /// Never throws: a stream that cannot be carried only yields a warning.
    init(feed: AudioPacketFeed, muxer: OutputMuxer) {
        guard let output = muxer.context else { return }
        for (number, stream) in feed.streams.enumerated() {
            let parameters = stream.parameters
            guard avformat_query_codec(output.pointee.oformat, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1,
                  let outStream = try? muxer.addStream(),
                  avcodec_parameters_copy(outStream.pointee.codecpar, parameters) >= 0 else {
                warnings.append("\(muxer.name): audio stream \(stream.inputIndex) (\(stream.codecName)) cannot be copied into \(muxer.format.muxer); dropped")
                continue
            }
            outStream.pointee.codecpar.pointee.codec_tag = 0
            outStream.pointee.time_base = stream.timeBase
            outStream.pointee.disposition = stream.disposition
            mapping[number] = (outStream, stream.timeBase)
        }
        if !mapping.isEmpty {
            self.feed = feed
            subscriber = feed.subscribe()
        }
    }

    deinit { close() }

    /// Writes every audio packet demuxed so far that starts before `limit` seconds (all of them for `.infinity`).
    func copy(upTo limit: Double, through muxer: OutputMuxer) throws {
        guard let feed else { return }
        let packets = feed.take(subscriber, before: limit)
        var failure: Error?
        for pending in packets {
            var packet: UnsafeMutablePointer<AVPacket>? = pending.packet
            defer { av_packet_free(&packet) }
            guard failure == nil, let target = mapping[pending.streamIndex] else { continue }
            av_packet_rescale_ts(pending.packet, target.timeBase, target.stream.pointee.time_base)
            pending.packet.pointee.stream_index = target.stream.pointee.index
            pending.packet.pointee.pos = -1
            do { try muxer.write(pending.packet) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Stops taking packets. Idempotent.
    func close() {
        feed?.unsubscribe(subscriber)
        feed = nil
    }
}
