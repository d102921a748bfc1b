import CFFmpeg
import Foundation

/// The audio packets of an input, taken from the same demuxer that gives its video (an input is opened
/// once: a live stream has no second connection to give, and a second one would carry another moment),
/// handed to every `VideoWriter` that copies them (`VideoWriterOptions.audio`).
///
/// The reading thread (`VideoStreamDecoder`) pushes each audio packet as it is demuxed; each subscriber
/// (a writer, on its own thread) takes those that start before the video it has written. Packet
/// timestamps are rebased to the input's start, the origin `VideoFileSource` gives its frames, plus
/// `timeOffset` (a reconnected stream's place on the run's time line), in the first connection's time
/// base; while `timeOffset` is nil (a reconnection before its first video frame placed it) packets are
/// held back, and handed on once it is set. Packets are reference-counted copies; a subscriber that falls
/// `pendingLimit` packets behind loses the oldest. Thread-safe.
public final class AudioPacketFeed: @unchecked Sendable {
    /// Most packets waiting per subscriber.
    static let pendingLimit = 4096

    /// One audio stream of the input, as the first connection described it (parameters owned here).
    struct Stream {
        let parameters: UnsafeMutablePointer<AVCodecParameters>
        let timeBase: AVRational
        let disposition: Int32
        let inputIndex: Int
        var codecName: String { String(cString: avcodec_get_name(parameters.pointee.codec_id)) }
    }

    /// A packet waiting for a subscriber: owned until taken or dropped.
    struct Pending {
        let packet: UnsafeMutablePointer<AVPacket>
        let streamIndex: Int
        let seconds: Double
    }

    private let lock = NSLock()
    private var streamList: [Stream] = []
    private var described = false
    private var queues: [Int: [Pending]] = [:]
    private var nextSubscriber = 0
    private var offset: Double? = 0
    /// Packets pushed while `offset` was nil: rebased, not yet offset.
    private var held: [Pending] = []

    public init() {}

    deinit {
        for pending in held { var packet: UnsafeMutablePointer<AVPacket>? = pending.packet; av_packet_free(&packet) }
        for queue in queues.values { for pending in queue { var packet: UnsafeMutablePointer<AVPacket>? = pending.packet; av_packet_free(&packet) } }
        for stream in streamList { var parameters: UnsafeMutablePointer<AVCodecParameters>? = stream.parameters; avcodec_parameters_free(&parameters) }
    }

    /// The audio streams (empty until an input with audio attached).
    var streams: [Stream] { lock.withLock { streamList } }

    /// Seconds added to the timestamps of packets pushed from now on; nil holds them back until it is set
    /// (then those held get it too).
    public var timeOffset: Double? {
        get { lock.withLock { offset } }
        set {
            lock.withLock {
                offset = newValue
                guard newValue != nil else { return }
                let waiting = held
                held = []
                for pending in waiting {
                    deliver(pending)
                    var packet: UnsafeMutablePointer<AVPacket>? = pending.packet
                    av_packet_free(&packet)
                }
            }
        }
    }

    /// Describes the audio streams of an opened input; returns, per input stream index, the feed's stream
    /// number. The first input to attach defines the streams; a later one (a reconnection) is mapped onto
    /// them by codec and order, and its streams that do not match are left out.
    func attach(_ context: UnsafeMutablePointer<AVFormatContext>) -> [Int32: Int] {
        var audio: [UnsafeMutablePointer<AVStream>] = []
        for index in 0..<Int(context.pointee.nb_streams) {
            if let stream = context.pointee.streams[index], stream.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO {
                audio.append(stream)
            }
        }
        return lock.withLock {
            if !described {
                described = true
                for stream in audio {
                    guard let parameters = avcodec_parameters_alloc() else { continue }
                    avcodec_parameters_copy(parameters, stream.pointee.codecpar)
                    streamList.append(Stream(parameters: parameters, timeBase: stream.pointee.time_base,
                                             disposition: stream.pointee.disposition, inputIndex: Int(stream.pointee.index)))
                }
            }
            var mapping: [Int32: Int] = [:]
            for (number, stream) in audio.enumerated() where number < streamList.count
                && streamList[number].parameters.pointee.codec_id == stream.pointee.codecpar.pointee.codec_id {
                mapping[stream.pointee.index] = number
            }
            return mapping
        }
    }

    /// Whether anyone takes packets (pushing is skipped otherwise).
    var hasSubscribers: Bool { lock.withLock { !queues.isEmpty } }

    /// Hands a copy of `packet` (of `inputStream`, whose input starts at `startTime` seconds) to every subscriber.
    func push(_ packet: UnsafeMutablePointer<AVPacket>, inputStream: UnsafeMutablePointer<AVStream>, feedIndex: Int,
              startTime: Double) {
        lock.withLock {
            guard !queues.isEmpty, feedIndex < streamList.count, let copy = av_packet_clone(packet) else { return }
            let base = streamList[feedIndex].timeBase
            let inBase = inputStream.pointee.time_base
            let shift = Int64((startTime / av_q2d(inBase)).rounded())
            func rebased(_ stamp: Int64) -> Int64 {
                stamp == CLIPSEG_AV_NOPTS_VALUE ? stamp : av_rescale_q(stamp - shift, inBase, base)
            }
            copy.pointee.pts = rebased(packet.pointee.pts)
            copy.pointee.dts = rebased(packet.pointee.dts)
            copy.pointee.duration = packet.pointee.duration > 0 ? av_rescale_q(packet.pointee.duration, inBase, base) : 0
            let pending = Pending(packet: copy, streamIndex: feedIndex, seconds: 0)
            if offset == nil {
                held.append(pending)
                if held.count > AudioPacketFeed.pendingLimit {
                    var oldest: UnsafeMutablePointer<AVPacket>? = held.removeFirst().packet
                    av_packet_free(&oldest)
                }
                return
            }
            deliver(pending)
            var owned: UnsafeMutablePointer<AVPacket>? = copy
            av_packet_free(&owned)
        }
    }

    /// Gives each subscriber its own reference to `pending`'s packet, moved by `offset` (lock held, offset set).
    private func deliver(_ pending: Pending) {
        let base = streamList[pending.streamIndex].timeBase
        let added = Int64(((offset ?? 0) / av_q2d(base)).rounded())
        let source = pending.packet
        for key in queues.keys {
            guard let copy = av_packet_clone(source) else { continue }
            if copy.pointee.pts != CLIPSEG_AV_NOPTS_VALUE { copy.pointee.pts += added }
            if copy.pointee.dts != CLIPSEG_AV_NOPTS_VALUE { copy.pointee.dts += added }
            let stamp = copy.pointee.pts != CLIPSEG_AV_NOPTS_VALUE ? copy.pointee.pts : copy.pointee.dts
            let seconds = stamp == CLIPSEG_AV_NOPTS_VALUE ? -Double.infinity : Double(stamp) * av_q2d(base)
            if queues[key]!.count >= AudioPacketFeed.pendingLimit {
                var oldest: UnsafeMutablePointer<AVPacket>? = queues[key]!.removeFirst().packet
                av_packet_free(&oldest)
            }
            queues[key]!.append(Pending(packet: copy, streamIndex: pending.streamIndex, seconds: seconds))
        }
    }

    /// A new subscriber: it receives the packets pushed from now on.
    func subscribe() -> Int {
        lock.withLock {
            nextSubscriber += 1
            queues[nextSubscriber] = []
            return nextSubscriber
        }
    }

    /// Ends a subscription and frees what it had not taken.
    func unsubscribe(_ subscriber: Int) {
        let left = lock.withLock { queues.removeValue(forKey: subscriber) ?? [] }
        for pending in left { var packet: UnsafeMutablePointer<AVPacket>? = pending.packet; av_packet_free(&packet) }
    }

    /// The subscriber's waiting packets that start before `limit` seconds, oldest first; the caller owns them.
    func take(_ subscriber: Int, before limit: Double) -> [Pending] {
        lock.withLock {
            guard let queue = queues[subscriber] else { return [] }
            let count = queue.firstIndex { $0.seconds >= limit } ?? queue.count
            queues[subscriber] = Array(queue[count...])
            return Array(queue[..<count])
        }
    }
}
