import CFFmpeg
import Foundation
import VideoFrames

/// Writes RGB frames to a V4L2 output device — a v4l2loopback virtual camera that call apps, browsers
/// and OBS read as an ordinary webcam — through FFmpeg's `video4linux2` output device (libavdevice).
///
/// Opening asks the device what it is (video output, VIDIOC_QUERYCAP) and agrees on a pixel format it
/// takes (`VirtualCameraPixelFormat`: YUYV, else YU12) at the requested size (or the size the driver
/// bounds it to), and announces the frame rate (VIDIOC_S_PARM); FFmpeg's muxer then sets the format
/// (VIDIOC_S_FMT) and each frame is one write(2) of the raw picture, converted from RGB24 with libswscale
/// (BT.601, limited range) and scaled when its size differs.
///
/// Errors name the device path: `.noSuchFile`, `.unsupportedOutput` (not an output device, no format in
/// common), `.deviceGone` (ENODEV/EIO while writing: the module was unloaded), `.writeFailed`.
/// `finish()` closes the device; idempotent. Blocking; one thread at a time (`@unchecked Sendable` only
/// to hand it over).
public final class VirtualCameraWriter: @unchecked Sendable {
    /// The device path, as given.
    public let name: String
    /// What the device and the writer agreed on (frames of another size are scaled to it).
    public let format: VirtualCameraFormat
    /// The rate announced to the device.
    public let frameRate: FrameRateFraction

    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var lastPTS: Int64 = -1
    /// The first failure; later writes rethrow it.
    private var failure: Error?
    private var notes = WarningLog()
    private var framesWritten = 0

    private static let devicesRegistered: Void = avdevice_register_all()

    /// Opens `device` for `width`×`height` frames at `frameRate` frames per second.
    public init(device: String, width: Int, height: Int, frameRate: Double) throws {
        FFmpegLogLevel.applyDefaultOnce()
        _ = VirtualCameraWriter.devicesRegistered
        name = device
        self.frameRate = FrameRateFraction(approximating: frameRate)
        let node = try V4L2OutputDevice(path: device)
        defer { node.close() }
        format = try node.negotiate(width: width, height: height)
        node.announce(frameRate: self.frameRate)
        if format.width != width || format.height != height {
            notes.append("\(device): the device takes \(format.width)x\(format.height); frames of \(width)x\(height) are scaled to it")
        }
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let status = avformat_alloc_output_context2(&context, nil, "video4linux2", device)
        guard status >= 0, let context else {
            throw MediaError.unsupportedOutput(device, reason: "FFmpeg has no video4linux2 output device (\(ffmpegErrorText(status)))")
        }
        self.context = context
        guard let stream = avformat_new_stream(context, nil), let packet = av_packet_alloc() else {
            release()
            throw MediaError.writeFailed(device, reason: "out of memory")
        }
        self.packet = packet
        let parameters = stream.pointee.codecpar!
        parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        parameters.pointee.codec_id = AV_CODEC_ID_RAWVIDEO
        parameters.pointee.format = format.pixelFormat.ffmpegFormat.rawValue
        parameters.pointee.width = Int32(format.width)
        parameters.pointee.height = Int32(format.height)
        stream.pointee.time_base = AVRational(num: 1, den: 90000)
        stream.pointee.avg_frame_rate = AVRational(num: Int32(self.frameRate.numerator), den: Int32(self.frameRate.denominator))
        // Opens the device, VIDIOC_G_FMT, VIDIOC_S_FMT with our format and size.
        let header = avformat_write_header(context, nil)
        guard header >= 0 else {
            release()
            throw mediaError(header, operation: "cannot set the format \(format.pixelFormat) \(format.width)x\(format.height)")
        }
        self.stream = stream
        if let held = node.currentFormat(),
           held.code != format.pixelFormat.v4l2Code || held.width != format.width || held.height != format.height {
            try? finish()
            throw MediaError.unsupportedOutput(device, reason: "the device was set to \(fourCC(held.code)) \(held.width)x\(held.height) "
                                               + "instead of \(format.pixelFormat) \(format.width)x\(format.height)")
        }
    }

    deinit { try? finish() }

    /// One-line notes gathered so far (frames scaled to the device's size).
    public var warnings: [String] { notes.messages }

    /// Converts `frame` and writes it to the device as one picture. After a failure every call rethrows it.
    public func write(_ frame: RGBFrame) throws {
        if let failure { throw failure }
        guard let context, let stream, let packet else { throw MediaError.writeFailed(name, reason: "writer already finished") }
        do {
            let size = Int32(format.pixelFormat.frameBytes(width: format.width, height: format.height))
            guard av_new_packet(packet, size) >= 0, let data = packet.pointee.data else {
                throw MediaError.writeFailed(name, reason: "out of memory")
            }
            defer { av_packet_unref(packet) }
            try convert(frame, into: data)
            var pts = av_rescale_q(Int64((max(0, frame.timestamp) * 90000).rounded()), AVRational(num: 1, den: 90000),
                                   stream.pointee.time_base)
            if pts <= lastPTS { pts = lastPTS + 1 }
            lastPTS = pts
            packet.pointee.pts = pts
            packet.pointee.dts = pts
            packet.pointee.stream_index = stream.pointee.index
            let status = av_write_frame(context, packet)
            if status < 0 { throw mediaError(status, operation: nil) }
            framesWritten += 1
        } catch {
            failure = error
            throw error
        }
    }

    /// Closes the device (FFmpeg's trailer). Idempotent; safe after a failure.
    public func finish() throws {
        guard let context else { return }
        if stream != nil { _ = av_write_trailer(context) }
        stream = nil
        release()
    }

    /// RGB24 → the agreed format (and size) straight into the packet's bytes.
    private func convert(_ frame: RGBFrame, into data: UnsafeMutablePointer<UInt8>) throws {
        let target = format.pixelFormat.ffmpegFormat
        scaler = sws_getCachedContext(scaler, Int32(frame.width), Int32(frame.height), AV_PIX_FMT_RGB24,
                                      Int32(format.width), Int32(format.height), target, SWS_BICUBIC, nil, nil, nil)
        guard let scaler else { throw MediaError.writeFailed(name, reason: "cannot convert RGB to \(format.pixelFormat)") }
        // Full-range RGB in, BT.601 limited-range Y'CbCr out (what V4L2 readers assume for YUYV and YU12).
        let coefficients = sws_getCoefficients(SWS_CS_ITU601)
        _ = sws_setColorspaceDetails(scaler, coefficients, 1, coefficients, 0, 0, 1 << 16, 1 << 16)
        var planes: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?,
                     UnsafeMutablePointer<UInt8>?) = (nil, nil, nil, nil)
        var strides: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        let filled = withUnsafeMutablePointer(to: &planes) { planePointer in
            withUnsafeMutablePointer(to: &strides) { stridePointer in
                av_image_fill_arrays(UnsafeMutableRawPointer(planePointer).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                     UnsafeMutableRawPointer(stridePointer).assumingMemoryBound(to: Int32.self),
                                     data, target, Int32(format.width), Int32(format.height), 1)
            }
        }
        guard filled >= 0 else { throw MediaError.writeFailed(name, reason: "cannot lay out a \(format.pixelFormat) picture") }
        let sourceStride = [Int32(frame.width * 3), 0, 0, 0]
        let scaled = frame.pixels.withUnsafeBufferPointer { pixels in
            var source: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
            return withUnsafeMutablePointer(to: &planes) { planePointer in
                withUnsafeMutablePointer(to: &strides) { stridePointer in
                    sws_scale(scaler, &source, sourceStride, 0, Int32(frame.height),
                              UnsafeMutableRawPointer(planePointer).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                              UnsafeMutableRawPointer(stridePointer).assumingMemoryBound(to: Int32.self))
                }
            }
        }
        guard scaled == Int32(format.height) else { throw MediaError.writeFailed(name, reason: "pixel conversion failed") }
    }

    /// ENODEV, ENXIO and EIO: the device is gone; anything else a failed write.
    private func mediaError(_ status: Int32, operation: String?) -> MediaError {
        if [ENODEV, ENXIO, EIO].contains(where: { averror($0) == status }) {
            return .deviceGone(name, reason: ffmpegErrorText(status))
        }
        let reason = ffmpegErrorText(status)
        return .writeFailed(name, reason: operation.map { "\($0): \(reason)" } ?? reason)
    }

    private func release() {
        if let scaler { sws_freeContext(scaler) }
        scaler = nil
        av_packet_free(&packet)
        if let context { avformat_free_context(context) }
        context = nil
        stream = nil
    }
}
