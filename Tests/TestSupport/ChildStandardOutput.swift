import Foundation

/// Where a child's standard output goes in `ChildProcess.run`.
public enum ChildStandardOutput: Sendable, Equatable {
    /// A pipe the test reads into `ProcessResult.stdout`.
    case captured
    /// A file opened for writing, e.g. `/dev/full`, where every write fails with ENOSPC.
    case file(String)
    /// A pipe whose reading end is closed before the child starts: every write fails with EPIPE
    /// (or raises SIGPIPE in a child that does not ignore it), as when `| head -c 1` has exited.
    case closedPipe

    /// The handle or pipe to give `Process.standardOutput`; `captured` is the pipe the caller reads.
    func destination(capturing captured: Pipe) throws -> Any {
        switch self {
        case .captured:
            return captured
        case .file(let path):
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            return handle
        case .closedPipe:
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            return pipe
        }
    }
}
