import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one way this package starts a thread of its own, outside Swift's cooperative pool (two threads on two
/// cores), for work that blocks: BLAS inference, codecs, camera capture, reading a file descriptor, loading a
/// model. `start` names the new OS thread, lowers its priority when asked (`ThreadNiceness`), then runs the
/// body; `run` does the same and awaits the body's result from async code.
///
/// Every thread the program starts goes through here — `DedicatedThreadExecutor` (the stage threads),
/// `ThreadNiceness.run` (the codec threads), Pipeline's `SourcePump` (capture), and the command line's setup,
/// bench, image, camera-check and control-input threads — so each one shows its name in `top -H`, `ps -L`
/// and /proc, and threads it creates in turn (FFmpeg's, x264's) inherit that name and priority.
public enum DedicatedThread {
    /// Stack of every dedicated thread: 8 MiB, as a main thread has (and what a new thread gets by default
    /// under the usual `ulimit -s` of 8 MiB). Only the pages a thread touches take memory.
    public static let defaultStackSize = 8 << 20

    /// Starts a new thread and returns at once: it names itself `name` (the kernel keeps the first 15 bytes),
    /// makes itself a batch thread `niceness` steps below the calling thread (`ThreadNiceness
    /// .lowerCurrentThread(by:)`; 0 keeps the caller's priority), runs `body` and ends.
    public static func start(name: String, niceness: Int32 = 0, stackSize: Int = defaultStackSize,
                             _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            nameCurrentThread(name)
            ThreadNiceness.lowerCurrentThread(by: niceness)
            body()
        }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    /// Runs `body` on a new thread started as `start` does and returns its result (or throws its error),
    /// suspending the calling task meanwhile without blocking a cooperative thread.
    public static func run<Value: Sendable>(name: String, niceness: Int32 = 0, stackSize: Int = defaultStackSize,
                                            _ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
            start(name: name, niceness: niceness, stackSize: stackSize) {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Names the calling OS thread (as `top -H`, `ps -L` and debuggers show it). Linux keeps the first
    /// 15 bytes. Foundation's `Thread.name` does not reach the OS thread on Linux, and Glibc's
    /// `pthread_setname_np` is not visible to Swift, so this writes `/proc/thread-self/comm`.
    public static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
