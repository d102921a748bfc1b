#if canImport(Glibc)
import Glibc
#endif

/// A camera (V4L2 device) failure, with a one-line description that names the device.
///
/// `description` is meant to be printed as is (`clipseg: <description>`), e.g.
/// `camera /dev/video0 is busy (another program is using it)` or
/// `camera /dev/video0: no frame for 10 s, giving up`.
public enum CameraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing at that path (or `camera:N` names a device that does not exist).
    case noSuchDevice(String)
    /// The device node exists but this user may not open it.
    case permissionDenied(String)
    /// Another program holds the device (EBUSY at open, format setting or streaming).
    case busy(String)
    /// The path opens but does not answer V4L2's capability query (a regular file, another kind of device).
    case notV4L2Device(String)
    /// A V4L2 node that cannot capture video; `kind` says what it is (`metadata`, `video output`, …).
    case notCaptureDevice(String, kind: String)
    /// A capture device without memory-mapped streaming.
    case noStreaming(String)
    /// The device would not take the format clipseg asks for (`format` like `RGB24 640x480`).
    case formatRefused(String, format: String, reason: String)
    /// No frame arrived for `seconds` seconds.
    case stalled(String, seconds: Double)
    /// The device went away (unplugged) before it delivered a single frame.
    case unpluggedBeforeFirstFrame(String)
    /// Any other failing call, in the system's words (`operation` like `VIDIOC_REQBUFS`).
    case failed(String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .noSuchDevice(let device): return "camera \(device): no such device"
        case .permissionDenied(let device):
            return "camera \(device): permission denied (is this user in the 'video' group?)"
        case .busy(let device): return "camera \(device) is busy (another program is using it)"
        case .notV4L2Device(let device): return "\(device): not a V4L2 video device"
        case .notCaptureDevice(let device, let kind): return "\(device): not a video capture device (\(kind))"
        case .noStreaming(let device): return "camera \(device): does not support streaming capture"
        case .formatRefused(let device, let format, let reason):
            return "camera \(device): format \(format) refused (\(reason))"
        case .stalled(let device, let seconds):
            return "camera \(device): no frame for \(CameraError.seconds(seconds)), giving up"
        case .unpluggedBeforeFirstFrame(let device): return "camera \(device) was unplugged before its first frame"
        case .failed(let device, let operation, let reason): return "camera \(device): \(operation) failed (\(reason))"
        }
    }

    /// Maps the `errno` of a failed open or ioctl to an error; EBUSY, ENOENT and EACCES get their own cases.
    static func from(errno code: Int32, device: String, operation: String) -> CameraError {
        switch code {
        case EBUSY: return .busy(device)
        case ENOENT, ENXIO: return .noSuchDevice(device)
        case EACCES, EPERM: return .permissionDenied(device)
        default: return .failed(device, operation: operation, reason: systemMessage(code))
        }
    }

    /// `strerror` text for an errno value.
    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Seconds as people write them: `10 s`, `0.5 s`.
    static func seconds(_ value: Double) -> String {
        if value == value.rounded() { return "\(Int(value)) s" }
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths)) s" : "\(tenths) s"
    }
}
