#if canImport(Glibc)
import Glibc
#endif

/// A self-pipe that wakes a thread blocked in `poll()` on a camera, so `CameraSource.close()` from
/// another thread returns promptly. The read end goes into the poll set; `signal()` makes it readable
/// and it stays readable (nobody drains it), which is what a one-way "stop" needs.
final class CameraWakeup: @unchecked Sendable {
    /// Poll this for `POLLIN`.
    let readEnd: Int32
    private let writeEnd: Int32

    init(device: String) throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw CameraError.failed(device, operation: "pipe", reason: CameraError.systemMessage(errno))
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Makes `readEnd` readable (idempotent; a full pipe is already readable).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    deinit {
        Glibc.close(readEnd)
        Glibc.close(writeEnd)
    }
}
