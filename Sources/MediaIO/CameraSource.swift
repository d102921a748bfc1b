import CV4L2
import Foundation
import VideoFrames
#if canImport(Glibc)
import Glibc
#endif

/// A live V4L2 camera as a `FrameSource`, read through libv4l2 as packed RGB24 (libv4l2 converts from
/// YUYV, MJPEG and the other formats webcams deliver), with memory-mapped streaming.
///
/// Opening negotiates the size and rate nearest to `CameraOptions` (notices in `warnings` when not
/// exact). `nextFrame()` blocks in `poll()` on the calling thread, which must be a dedicated thread,
/// never Swift's cooperative pool. Frames are copied out of the driver buffers into Swift-owned
/// `RGBFrame`s with timestamps in seconds from the first frame (the driver's monotonic clock) and
/// indexes 0, 1, 2, … in delivery order.
///
/// Device trouble: a stall (no frame for a few frame periods) is reported as a warning and waited out
/// up to `CameraOptions.stallTimeout`, then `nextFrame()` throws `CameraError.stalled`; a disconnect
/// (ENODEV, POLLERR/POLLHUP) ends the stream cleanly: `nextFrame()` returns nil and a warning names
/// the device. `close()` may be called from any thread, also while another thread waits in `nextFrame()`,
/// which then returns nil promptly.
public final class CameraSource: FrameSource, @unchecked Sendable {
    public let info: SourceInfo
    /// The device path in use (`camera:N` resolved to `/dev/videoN`).
    public let device: String
    public let options: CameraOptions

    private let onWarning: (@Sendable (String) -> Void)?
    private let format: NegotiatedFormat
    private let wakeup: CameraWakeup
    private let pollTimeout: Double

    // Capture state, used only under `captureLock` (by nextFrame, close and deinit).
    private let captureLock = NSLock()
    private var descriptor: V4L2Descriptor?
    private var buffers: CameraBuffers?
    private var ended = false
    private var disconnectSeen = false
    private var delivered = 0
    private var firstTimestamp: Double?
    private var lastTimestamp = 0.0
    private var lastSequence: UInt32?
    private var waitStart = 0.0
    private var stallReported = false
    private var consecutiveBadFrames = 0

    // Shared with other threads, under `stateLock`.
    private let stateLock = NSLock()
    private var closing = false
    private var warningLog: [String] = []
    private var droppedWarnings = 0
    private var skipped = 0

    /// Damaged frames in a row after which capture fails instead of skipping.
    private static let damagedFrameLimit = 30
    private static let warningCapacity = 100

    /// Opens `input` (`/dev/video0` or `camera:0`), sets RGB24 at the nearest offered size and rate,
    /// maps the buffers and starts streaming. `onWarning` (optional) hears each warning as it happens,
    /// on the thread that causes it; all are also kept in `warnings`.
    public init(device input: String, options: CameraOptions = CameraOptions(),
                onWarning: (@Sendable (String) -> Void)? = nil) throws {
        let path = CameraDevice.path(for: input) ?? input
        let wakeup = try CameraWakeup(device: path)
        let descriptor = try V4L2Descriptor(path: path)
        let (_, caps) = try descriptor.capabilities()
        guard caps & CLIPSEG_V4L2_CAP_VIDEO_CAPTURE != 0 else {
            throw CameraError.notCaptureDevice(path, kind: CameraDevice.kind(of: caps))
        }
        guard caps & CLIPSEG_V4L2_CAP_STREAMING != 0 else { throw CameraError.noStreaming(path) }
        let format = try descriptor.negotiateRGB24(options)
        let buffers = try CameraBuffers(device: descriptor, count: options.bufferCount)
        var type = Int32(bitPattern: CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        do {
            try descriptor.require(CLIPSEG_VIDIOC_STREAMON, &type, "VIDIOC_STREAMON")
        } catch {
            buffers.release(from: descriptor)
            throw error
        }

        self.device = path
        self.options = options
        self.onWarning = onWarning
        self.format = format
        self.descriptor = descriptor
        self.buffers = buffers
        self.wakeup = wakeup
        if let rate = format.frameRate {
            pollTimeout = min(max(4 / rate, 0.1), 2)
        } else {
            pollTimeout = 0.5
        }
        info = SourceInfo(name: path, width: format.size.width, height: format.size.height,
                          frameRate: format.frameRate, isLive: true)
        for notice in format.notices { warn(notice) }
    }

    deinit { releaseDevice() }

    /// One-line warnings so far (size/rate notices, stalls, damaged frames, disconnect), oldest first.
    public var warnings: [String] {
        stateLock.lock(); defer { stateLock.unlock() }
        return droppedWarnings == 0 ? warningLog : warningLog + ["… and \(droppedWarnings) more warnings"]
    }

    /// Frames the device itself skipped (gaps in its sequence numbers), e.g. for lack of free buffers.
    public var skippedFrames: Int {
        stateLock.lock(); defer { stateLock.unlock() }
        return skipped
    }

    /// The next frame; nil once the camera is disconnected or `close()` was called.
    /// Throws `CameraError.stalled` when no frame came for `options.stallTimeout` seconds,
    /// `CameraError.unpluggedBeforeFirstFrame` when it went away before delivering any (nothing to end
    /// a recording with), and `CameraError.failed` on other device errors.
    public func nextFrame() throws -> RGBFrame? {
        captureLock.lock(); defer { captureLock.unlock() }
        // A stall is time spent waiting here, not time the caller spent elsewhere since the last frame.
        waitStart = CameraSource.monotonicNow()
        while true {
            guard !isClosing, !ended, let descriptor else { return nil }
            let silence = CameraSource.monotonicNow() - waitStart
            if silence >= options.stallTimeout {
                releaseDevice()
                throw CameraError.stalled(device, seconds: options.stallTimeout)
            }
            let timeout = min(pollTimeout, options.stallTimeout - silence)
            var fds = [pollfd(fd: descriptor.fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeup.readEnd, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, Int32((timeout * 1000).rounded(.up)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw CameraError.failed(device, operation: "poll", reason: CameraError.systemMessage(errno))
            }
            if isClosing || fds[1].revents != 0 { return nil }
            if ready == 0 {
                noteSilence()
                continue
            }
            let events = Int32(fds[0].revents)
            if events & Int32(POLLIN) != 0 {
                if let frame = try dequeue(from: descriptor) { return frame }
                continue
            }
            if events & Int32(POLLERR | POLLHUP | POLLNVAL) != 0 {
                try endDisconnected()
                return nil
            }
        }
    }

    /// Stops streaming and releases the device. Any thread may call it, once or more; a `nextFrame()`
    /// waiting on another thread returns nil.
    public func close() {
        stateLock.lock()
        closing = true
        stateLock.unlock()
        wakeup.signal()
        captureLock.lock()
        releaseDevice()
        captureLock.unlock()
    }

    // MARK: - Capture steps (under captureLock)

    /// Takes one finished buffer from the driver; nil when there was none after all or it was damaged.
    private func dequeue(from descriptor: V4L2Descriptor) throws -> RGBFrame? {
        guard let buffers else { return nil }
        var buffer = CameraBuffers.describe()
        let code = descriptor.control(CLIPSEG_VIDIOC_DQBUF, &buffer)
        switch code {
        case 0: break
        case EAGAIN: return nil
        case ENODEV:
            try endDisconnected()
            return nil
        case EIO:
            // libv4l2 could not convert several frames in a row, or the driver flagged an error.
            try noteDamagedFrame(CameraError.systemMessage(code))
            return nil
        default:
            throw V4L2Descriptor.error(code, device: device, operation: "VIDIOC_DQBUF")
        }
        let index = Int(buffer.index)
        guard index < buffers.mappings.count else {
            throw CameraError.failed(device, operation: "VIDIOC_DQBUF", reason: "unknown buffer \(index)")
        }
        let size = format.size
        let needed = format.bytesPerLine * (size.height - 1) + size.width * 3
        let damaged = buffer.flags & CLIPSEG_V4L2_BUF_FLAG_ERROR != 0
            || (buffer.bytesused != 0 && Int(buffer.bytesused) < needed)
            || buffers.mappings[index].length < needed
        let pixels = damaged ? nil : copyPixels(from: buffers.mappings[index].start)
        try requeue(&buffer, on: descriptor)
        guard let pixels else {
            try noteDamagedFrame("\(buffer.bytesused) of \(needed) bytes")
            return nil
        }
        consecutiveBadFrames = 0
        return deliver(pixels, buffer: buffer)
    }

    /// Copies the rows of an RGB24 buffer into tightly packed Swift-owned bytes.
    private func copyPixels(from start: UnsafeMutableRawPointer) -> [UInt8] {
        let size = format.size, rowBytes = size.width * 3, stride = format.bytesPerLine
        return [UInt8](unsafeUninitializedCapacity: rowBytes * size.height) { output, count in
            let source = UnsafeRawPointer(start)
            for row in 0..<size.height {
                UnsafeMutableRawPointer(output.baseAddress! + row * rowBytes)
                    .copyMemory(from: source + row * stride, byteCount: rowBytes)
            }
            count = rowBytes * size.height
        }
    }

    /// Gives the buffer back to the driver; an unplugged device ends the stream after this frame.
    private func requeue(_ buffer: inout v4l2_buffer, on descriptor: V4L2Descriptor) throws {
        var again = CameraBuffers.describe(index: buffer.index)
        let code = descriptor.control(CLIPSEG_VIDIOC_QBUF, &again)
        if code == ENODEV { disconnectSeen = true }
        else if code != 0 { throw V4L2Descriptor.error(code, device: device, operation: "VIDIOC_QBUF") }
    }

    private func deliver(_ pixels: [UInt8], buffer: v4l2_buffer) -> RGBFrame {
        let now = CameraSource.monotonicNow()
        if stallReported {
            warn("camera \(device): frames resumed after \(CameraError.seconds(now - waitStart))")
            stallReported = false
        }
        let driverTime = Double(buffer.timestamp.tv_sec) + Double(buffer.timestamp.tv_usec) / 1_000_000
        let absolute = driverTime > 0 ? driverTime : now
        let first = firstTimestamp ?? absolute
        firstTimestamp = first
        lastTimestamp = max(lastTimestamp, absolute - first)
        if let lastSequence, buffer.sequence > lastSequence &+ 1, buffer.sequence > lastSequence {
            stateLock.lock()
            skipped += Int(buffer.sequence - lastSequence - 1)
            stateLock.unlock()
        }
        lastSequence = buffer.sequence
        let frame = RGBFrame(width: format.size.width, height: format.size.height, pixels: pixels,
                             timestamp: lastTimestamp, index: delivered)
        delivered += 1
        if disconnectSeen { try? endDisconnected() }  // a frame was delivered: this only warns, never throws
        return frame
    }

    /// No frame within the poll timeout: say so once per stall (the caller keeps waiting).
    private func noteSilence() {
        guard !stallReported else { return }
        stallReported = true
        let silence = CameraSource.monotonicNow() - waitStart
        warn("camera \(device): no frame for \(CameraError.seconds(silence)); "
             + "waiting up to \(CameraError.seconds(options.stallTimeout))")
    }

    private func noteDamagedFrame(_ detail: String) throws {
        consecutiveBadFrames += 1
        if consecutiveBadFrames >= CameraSource.damagedFrameLimit {
            releaseDevice()
            throw CameraError.failed(device, operation: "capture",
                                     reason: "\(consecutiveBadFrames) damaged frames in a row, last: \(detail)")
        }
        warn("camera \(device): damaged frame skipped (\(detail))")
    }

    /// The device went away: the stream ends with a warning naming it, or with
    /// `CameraError.unpluggedBeforeFirstFrame` when not a single frame came.
    private func endDisconnected() throws {
        guard !ended else { return }
        ended = true
        if delivered == 0 {
            releaseDevice()
            throw CameraError.unpluggedBeforeFirstFrame(device)
        }
        warn("camera \(device) disconnected after \(delivered) frame\(delivered == 1 ? "" : "s")")
        releaseDevice()
    }

    /// Stops streaming, unmaps the buffers and closes the descriptor (idempotent).
    private func releaseDevice() {
        guard let descriptor else { return }
        var type = Int32(bitPattern: CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        _ = descriptor.control(CLIPSEG_VIDIOC_STREAMOFF, &type)
        buffers?.release(from: descriptor)
        buffers = nil
        descriptor.close()
        self.descriptor = nil
    }

    // MARK: - Shared state

    private var isClosing: Bool {
        stateLock.lock(); defer { stateLock.unlock() }
        return closing
    }

    private func warn(_ message: String) {
        stateLock.lock()
        if warningLog.count < CameraSource.warningCapacity { warningLog.append(message) } else { droppedWarnings += 1 }
        stateLock.unlock()
        onWarning?(message)
    }

    private static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
