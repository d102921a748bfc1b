import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Bytes a command writes to standard output (a picture, a NumPy array). A reader that closed the pipe
/// (`| head -c 8`) ends the command cleanly with status 0; any other write error is one line, status 1.
enum StandardOutputBytes {
    static func write(_ bytes: [UInt8]) throws {
        signal(SIGPIPE, SIG_IGN)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { Glibc.write(STDOUT_FILENO, $0 + offset, raw.count - offset) } ?? 0
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE { throw ExitCode.success }
                throw CommandFailure.runtime("standard output: write failed (\(String(cString: strerror(code))))")
            }
            offset += written
        }
    }
}
