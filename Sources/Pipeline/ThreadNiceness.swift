import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The Linux nice value of the calling thread (−20 … 19; higher yields the CPU to lower values).
///
/// On Linux the nice value belongs to each thread, not to the process (`setpriority(PRIO_PROCESS, 0, …)`
/// changes only the caller; see setpriority(2), BUGS), and a thread starts with the value of the thread that
/// created it. A live run lowers the priority of its decoding, composing and encoding threads so that the
/// model's threads, which set the capture → mask latency, win the cores when both want them; the codec
/// libraries' worker threads inherit the value when they are created on such a thread (see `run`).
/// Raising a thread's value needs no privilege; lowering it again does, so a thread's value only goes up.
public enum ThreadNiceness {
    /// How far a live run lowers its capture, compose and encode threads and the codecs' worker threads: 5
    /// (the kernel's fair scheduler then weighs each at 335 against 1024 for a model thread).
    public static let liveMedia: Int32 = 5

    /// The calling thread's nice value.
    public static var current: Int32 {
        errno = 0
        let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        return errno == 0 ? value : 0
    }

    /// Raises the calling thread's nice value by `steps` (at most to 19); 0 or less changes nothing.
    /// Returns the value now in force (unchanged when the system refused).
    @discardableResult
    public static func lowerCurrentThread(by steps: Int32) -> Int32 {
        let before = current
        guard steps > 0 else { return before }
        let wanted = min(19, before + steps)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, wanted)
        return current
    }

    /// Runs `body` on a new thread named `name` whose nice value is `steps` above the caller's and returns
    /// its result, so that every thread `body` creates (FFmpeg's decoding threads, x264's encoding threads)
    /// starts with that lower priority, and with that name (as `top -H` shows it). `steps` ≤ 0 runs `body`
    /// on the calling thread. Blocks until `body` returns.
    public static func run<Value>(loweredBy steps: Int32, name: String,
                                  _ body: @escaping () throws -> Value) throws -> Value {
        guard steps > 0 else { return try body() }
        let call = Call(body: body)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            DedicatedThreadExecutor.nameCurrentThread(name)
            lowerCurrentThread(by: steps)
            call.run()
            done.signal()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        return try call.result!.get()
    }

    /// `body` and its result, handed to the thread that runs it; the caller waits for that thread, so the
    /// two never touch it at the same time.
    private final class Call<Value>: @unchecked Sendable {
        private let body: () throws -> Value
        private(set) var result: Result<Value, Error>?
        init(body: @escaping () throws -> Value) { self.body = body }

        func run() { result = Result { try body() } }
    }
}
