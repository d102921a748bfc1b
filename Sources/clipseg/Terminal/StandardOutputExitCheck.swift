// `stdout` is a C global the Swift 6 checker cannot prove safe; it is only read, at exit, on one thread.
@preconcurrency import Glibc
import MediaIO

/// A last check, when the process exits, of standard output as C stdio holds it: text that reached it
/// through Swift's `print` (a library, a later edit) rather than `StandardOutput`. Anything still
/// buffered is flushed; when that flush, or an earlier write of that stream, failed, the rule of
/// `StandardOutput` applies: one `Error:` line and exit 1, except when the reader closed the pipe
/// (EPIPE), which leaves the exit status as it was. `clipseg`'s own output never goes through stdio,
/// so this finds nothing in a normal run.
enum StandardOutputExitCheck {
    /// Registers the check with `atexit` (once, first thing in `main`) and ignores SIGPIPE, so a closed
    /// reader is an EPIPE error here rather than a signal that kills the process.
    static func install() {
        FileDescriptorWriter.ignoreBrokenPipeSignal()
        atexit { StandardOutputExitCheck.run() }
    }

    private static func run() {
        errno = 0
        let flushFailed = fflush(stdout) != 0
        let code = errno
        guard flushFailed || ferror(stdout) != 0 else { return }
        let readerClosed = flushFailed ? code == EPIPE : hasNoReader(STDOUT_FILENO)
        if readerClosed { return }
        let reason = flushFailed ? String(cString: strerror(code)) : "an earlier write failed"
        let failure = MediaError.writeFailed("standard output", reason: reason)
        StandardError.write("Error: " + failure.description)
        _exit(1)
    }

    /// Whether `descriptor` is a pipe or socket whose reading end is closed (poll reports POLLERR).
    private static func hasNoReader(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLERR) != 0
    }
}
