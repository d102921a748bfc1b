import Foundation
import Pipeline
import StreamKit
#if canImport(Glibc)
import Glibc
#endif

/// Reads `--control` commands from a file descriptor (0 for `--control -`) on a thread of its own and
/// delivers them, parsed, as an `AsyncStream`; the blocking `read` never runs on the cooperative pool.
///
/// The stream ends at end of input or on a read error (reported as a last `.failure`). A thread blocked
/// in `read` cannot be interrupted portably, so a run that ends first simply stops listening; the
/// thread ends with the process. The descriptor is not closed.
enum ControlCommandReader {
    /// Starts reading `fileDescriptor`; each element is one line's command or its one-line error.
    static func start(fileDescriptor: Int32, maxLineLength: Int = 4096)
        -> AsyncStream<Result<ControlCommand, ControlCommandError>> {
        let (stream, continuation) = AsyncStream.makeStream(of: Result<ControlCommand, ControlCommandError>.self,
                                                            bufferingPolicy: .unbounded)
        DedicatedThread.start(name: "clipseg-control") {
            var splitter = ControlLineSplitter(maxLineLength: maxLineLength)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    for result in splitter.append(buffer[0..<count]) { continuation.yield(result) }
                } else if count == 0 {
                    break
                } else if errno != EINTR {
                    let reason = String(cString: strerror(errno))
                    continuation.yield(.failure(ControlCommandError("cannot read control input: \(reason)")))
                    break
                }
            }
            for result in splitter.finish() { continuation.yield(result) }
            continuation.finish()
        }
        return stream
    }
}
