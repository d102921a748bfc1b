import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// A V4L2 video output node — a v4l2loopback virtual camera, or any driver that takes frames by
/// write() — opened with plain open(2)/ioctl(2) (libv4l2 converts only captured frames) to check what it
/// is and agree on a pixel format before FFmpeg's `video4linux2` muxer writes to it.
///
/// Owns the descriptor (`close()` releases it; `deinit` too). Errors are `MediaError`s naming the path.
public final class V4L2OutputDevice {
    /// The path as given, used in every message.
    public let path: String
    private var fd: Int32

    /// Checks that `path` is a V4L2 video output device that can be opened now and takes one of
    /// `VirtualCameraPixelFormat`'s formats (asked at 640×480); throws what `VirtualCameraWriter` would
    /// (`.noSuchFile`, `.unsupportedOutput` naming the formats, `.writeFailed`). Sets nothing.
    public static func check(_ path: String) throws {
        let device = try V4L2OutputDevice(path: path)
        defer { device.close() }
        _ = try device.negotiate(width: 640, height: 480)
    }

    /// Opens `path` read-write (non-blocking: ioctls only) and asks VIDIOC_QUERYCAP.
    init(path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw MediaError.noSuchFile(path) }
            throw MediaError.writeFailed(path, reason: String(cString: strerror(code)))
        }
        guard (info.st_mode & S_IFMT) == S_IFCHR else {
            throw MediaError.unsupportedOutput(path, reason: "not a V4L2 video output device (not a device node)")
        }
        var fd: Int32
        repeat { fd = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENODEV || code == ENXIO { throw MediaError.noSuchFile(path) }
            throw MediaError.writeFailed(path, reason: "cannot open (\(String(cString: strerror(code))))")
        }
        self.fd = fd
        var capability = v4l2_capability()
        guard ioctl(CLIPSEG_VIDIOC_QUERYCAP, &capability) == 0 else {
            close()
            throw MediaError.unsupportedOutput(path, reason: "not a V4L2 video output device")
        }
        let caps = capability.capabilities & CLIPSEG_V4L2_CAP_DEVICE_CAPS != 0
            ? capability.device_caps : capability.capabilities
        guard caps & CLIPSEG_V4L2_CAP_VIDEO_OUTPUT != 0 else {
            close()
            throw MediaError.unsupportedOutput(path, reason: "not a V4L2 video output device (a \(CameraDevice.kind(of: caps)) device; "
                                               + "a v4l2loopback device another program already writes to shows as video capture)")
        }
    }

    deinit { close() }

    /// Releases the descriptor. Safe to call twice.
    func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }

    /// Picks the first of `VirtualCameraPixelFormat.allCases` the device takes at `width`×`height`
    /// (VIDIOC_TRY_FMT, with VIDIOC_ENUM_FMT's list when the driver has one), and the size it would take
    /// (the driver may bound it). Throws `.unsupportedOutput` naming the formats when none fits.
    func negotiate(width: Int, height: Int) throws -> VirtualCameraFormat {
        let offered = offeredFormats()
        for candidate in VirtualCameraPixelFormat.allCases where offered.isEmpty || offered.contains(candidate.v4l2Code) {
            var format = outputFormat(candidate.v4l2Code, width: width, height: height)
            let code = ioctl(CLIPSEG_VIDIOC_TRY_FMT, &format)
            if code == 0, format.fmt.pix.pixelformat == candidate.v4l2Code {
                let takenWidth = Int(format.fmt.pix.width), takenHeight = Int(format.fmt.pix.height)
                return VirtualCameraFormat(pixelFormat: candidate, width: takenWidth > 0 ? takenWidth : width,
                                           height: takenHeight > 0 ? takenHeight : height)
            }
            if code == ENOTTY, offered.contains(candidate.v4l2Code) {  // no TRY_FMT: trust the list
                return VirtualCameraFormat(pixelFormat: candidate, width: width, height: height)
            }
            if code == ENODEV { throw MediaError.deviceGone(path, reason: "the device was removed") }
        }
        let wanted = VirtualCameraPixelFormat.allCases.map(\.description).joined(separator: ", ")
        let has = offered.isEmpty ? "it lists no formats" : "it offers " + offered.map(fourCC).joined(separator: ", ")
        throw MediaError.unsupportedOutput(path, reason: "the device takes none of the pixel formats clipseg writes (\(wanted)); \(has)")
    }

    /// The format the device holds now (VIDIOC_G_FMT), or nil when it does not say.
    func currentFormat() -> (code: UInt32, width: Int, height: Int)? {
        var format = v4l2_format()
        format.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_OUTPUT
        guard ioctl(CLIPSEG_VIDIOC_G_FMT, &format) == 0 else { return nil }
        return (format.fmt.pix.pixelformat, Int(format.fmt.pix.width), Int(format.fmt.pix.height))
    }

    /// Tells the device the frame rate it will be written at (VIDIOC_S_PARM; v4l2loopback shows it to
    /// its readers). True when the driver took it.
    @discardableResult
    func announce(frameRate: FrameRateFraction) -> Bool {
        var parameters = v4l2_streamparm()
        parameters.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_OUTPUT
        parameters.parm.output.timeperframe = v4l2_fract(numerator: UInt32(frameRate.denominator),
                                                          denominator: UInt32(frameRate.numerator))
        return ioctl(CLIPSEG_VIDIOC_S_PARM, &parameters) == 0
    }

    /// VIDIOC_ENUM_FMT for the output queue, in the driver's order (empty when the driver has no list).
    private func offeredFormats() -> [UInt32] {
        var codes: [UInt32] = []
        for index in 0..<64 {
            var description = v4l2_fmtdesc()
            description.index = UInt32(index)
            description.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_OUTPUT
            guard ioctl(CLIPSEG_VIDIOC_ENUM_FMT, &description) == 0 else { break }
            codes.append(description.pixelformat)
        }
        return codes
    }

    private func outputFormat(_ code: UInt32, width: Int, height: Int) -> v4l2_format {
        var format = v4l2_format()
        format.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_OUTPUT
        format.fmt.pix.width = UInt32(width)
        format.fmt.pix.height = UInt32(height)
        format.fmt.pix.pixelformat = code
        format.fmt.pix.field = 1  // V4L2_FIELD_NONE
        return format
    }

    /// One ioctl on the node; 0, or the errno of the failure (EINTR retried).
    private func ioctl<Argument>(_ request: UInt, _ argument: inout Argument) -> Int32 {
        guard fd >= 0 else { return EBADF }
        while true {
            let result = withUnsafeMutablePointer(to: &argument) { clipseg_ioctl(fd, request, $0) }
            if result == 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }
}

/// What a V4L2 output device and clipseg agreed on: the pixel format and the size frames are written at.
public struct VirtualCameraFormat: Sendable, Equatable {
    public var pixelFormat: VirtualCameraPixelFormat
    public var width: Int
    public var height: Int
}
