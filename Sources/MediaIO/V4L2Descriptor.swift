import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// An open V4L2 device node, reached through libv4l2 (so formats the device lacks, RGB24 among them,
/// are converted in user space). Owns the descriptor: `close()` releases it; ioctls retry EINTR.
final class V4L2Descriptor {
    /// The path as the user gave it, used in every message.
    let path: String
    private(set) var fd: Int32

    private static let quietLog: Void = clipseg_v4l2_quiet_log()

    /// Opens `path` read-write and non-blocking; failures map to `CameraError` (busy, missing, not V4L2, …).
    ///
    /// The node is opened with open(2) and asked VIDIOC_QUERYCAP directly before libv4l2 takes it over
    /// (`v4l2_fd_open`): libv4l2's plugins print perror() lines on stderr for anything that is not V4L2.
    init(path: String) throws {
        _ = V4L2Descriptor.quietLog
        self.path = path
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            throw code == ENOENT || code == ENOTDIR
                ? CameraError.noSuchDevice(path) : CameraError.from(errno: code, device: path, operation: "stat")
        }
        guard (info.st_mode & S_IFMT) == S_IFCHR else { throw CameraError.notV4L2Device(path) }
        var fd: Int32
        repeat { fd = Glibc.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let code = errno
            throw code == ENODEV ? CameraError.noSuchDevice(path) : CameraError.from(errno: code, device: path, operation: "open")
        }
        var capability = v4l2_capability()
        if clipseg_ioctl(fd, CLIPSEG_VIDIOC_QUERYCAP, &capability) != 0 {
            let code = errno
            Glibc.close(fd)
            throw code == ENOTTY || code == EINVAL
                ? CameraError.notV4L2Device(path) : V4L2Descriptor.error(code, device: path, operation: "VIDIOC_QUERYCAP")
        }
        guard clipseg_v4l2_fd_open(fd, 0) >= 0 else {
            let code = errno
            Glibc.close(fd)
            throw V4L2Descriptor.error(code, device: path, operation: "v4l2_fd_open")
        }
        self.fd = fd
    }

    deinit { close() }

    /// Runs one ioctl through libv4l2; returns 0, or the errno of the failure.
    func control<Argument>(_ request: UInt, _ argument: inout Argument) -> Int32 {
        guard fd >= 0 else { return EBADF }
        while true {
            let result = withUnsafeMutablePointer(to: &argument) { clipseg_v4l2_ioctl(fd, request, $0) }
            if result == 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    /// Runs one ioctl and throws `CameraError` (named after `operation`) when it fails.
    func require<Argument>(_ request: UInt, _ argument: inout Argument, _ operation: String) throws {
        let code = control(request, &argument)
        if code != 0 { throw V4L2Descriptor.error(code, device: path, operation: operation) }
    }

    /// The error for a failed ioctl: busy, unplugged (ENODEV) or the system's words.
    static func error(_ code: Int32, device: String, operation: String) -> CameraError {
        if code == ENODEV { return .failed(device, operation: operation, reason: "the device was disconnected") }
        return CameraError.from(errno: code, device: device, operation: operation)
    }

    /// VIDIOC_QUERYCAP; `device_caps` when the driver fills it, else `capabilities`.
    func capabilities() throws -> (capability: v4l2_capability, caps: UInt32) {
        var capability = v4l2_capability()
        let code = control(CLIPSEG_VIDIOC_QUERYCAP, &capability)
        if code == ENOTTY || code == EINVAL { throw CameraError.notV4L2Device(path) }
        if code != 0 { throw V4L2Descriptor.error(code, device: path, operation: "VIDIOC_QUERYCAP") }
        let caps = capability.capabilities & CLIPSEG_V4L2_CAP_DEVICE_CAPS != 0
            ? capability.device_caps : capability.capabilities
        return (capability, caps)
    }

    /// Releases the descriptor; later calls fail with EBADF. Safe to call twice.
    func close() {
        guard fd >= 0 else { return }
        _ = clipseg_v4l2_close(fd)
        fd = -1
    }
}

/// Text of a fixed-size, NUL-padded C character array imported as a tuple (`card`, `driver`, …).
func cString<Tuple>(_ tuple: Tuple) -> String {
    withUnsafeBytes(of: tuple) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// `YUYV`, `MJPG`, `RGB3` for a V4L2 pixel format code (trailing spaces dropped).
func fourCC(_ code: UInt32) -> String {
    var text = String((0..<4).map { Character(UnicodeScalar(UInt8((code >> ($0 * 8)) & 0xff))) })
    while text.last == " " { text.removeLast() }
    return text
}
