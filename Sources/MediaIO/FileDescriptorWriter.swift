import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A write-only byte stream to a file (created or truncated) or to standard output, with POSIX
/// semantics made into `MediaError`s: EINTR is retried, EPIPE becomes `.outputClosed`, anything else
/// `.writeFailed` naming the destination. Owns its file descriptor (never closes fd 1).
///
/// The byte layer under the mask and statistics writers and `clipseg`'s standard output: write(2) on a
/// descriptor, never C stdio's buffer. (Not a sink in the pipeline's sense: Pipeline's `FrameSink`s take
/// composed frames; this takes bytes.)
public final class FileDescriptorWriter {
    /// The destination as the user named it ("standard output" for `-`).
    public let name: String
    private var descriptor: Int32
    private let ownsDescriptor: Bool

    /// Opens `path` for writing; `-` means standard output (SIGPIPE is then ignored process-wide so a
    /// closed reader surfaces as `.outputClosed` instead of killing the process).
    public init(path: String) throws {
        if path == "-" {
            FileDescriptorWriter.ignoreBrokenPipeSignal()
            name = "standard output"
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
            return
        }
        name = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        ownsDescriptor = true
        if descriptor < 0 { throw MediaError.writeFailed(path, reason: String(cString: strerror(errno))) }
    }

    deinit { try? close() }

    /// Ignores SIGPIPE for the whole process (idempotent).
    public static func ignoreBrokenPipeSignal() { signal(SIGPIPE, SIG_IGN) }

    /// Writes all of `bytes` (short writes continue, EINTR is retried); throws `.outputClosed` on EPIPE,
    /// `.writeFailed` on any other error.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw MediaError.writeFailed(name, reason: "already closed") }
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw FileDescriptorWriter.error(for: code, name: name)
            }
            offset += written
        }
    }

    /// `write(_:)` of an array's bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// `write(_:)` of the text's UTF-8 bytes.
    public func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Closes a file this writer opened (standard output stays open). Idempotent.
    public func close() throws {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        if ownsDescriptor, Glibc.close(fd) != 0, errno != EINTR {
            throw MediaError.writeFailed(name, reason: String(cString: strerror(errno)))
        }
    }

    /// `.outputClosed` for EPIPE, `.writeFailed` otherwise.
    static func error(for code: Int32, name: String) -> MediaError {
        code == EPIPE ? .outputClosed(name) : .writeFailed(name, reason: String(cString: strerror(code)))
    }
}
