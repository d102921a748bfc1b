import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The scheduling priority of the calling thread: its Linux nice value (−20 … 19; higher yields the CPU to
/// lower values) and whether it is a batch thread (`SCHED_BATCH`: it never pre-empts a running thread when it
/// wakes up, and waits for that thread's time slice to end instead).
///
/// On Linux both belong to each thread, not to the process (`setpriority(PRIO_PROCESS, 0, …)` and
/// `sched_setscheduler(0, …)` change only the caller; see setpriority(2), BUGS), and a thread starts with the
/// settings of the thread that created it. A live run lowers its video decoding, composing and encoding threads so
/// that the model's threads, which set the capture → mask latency, are not pre-empted each time a frame
/// arrives and win the cores when both want them; the codec libraries' worker threads inherit the settings
/// when they are created on such a thread (see `run`). Raising a thread's nice value needs no privilege;
/// lowering it again does, so a thread's value only goes up.
public enum ThreadNiceness {
    /// How far a live run lowers its capture, compose and encode threads and the codecs' worker threads: batch
    /// threads at nice 1 (CFS weight 820 against 1024 for a model thread). Measured on the 2-core machine with
    /// other sessions building: nice 10 starved the writer (capture → mask p50 1.3–3.4 s, the keep-frames queue
    /// full and reading held back), nice 5 was no better than 0 and its 60 s run had a higher p99 (1646 against
    /// 1119 ms); batch at nice 0 was as good as plain nice 0. The share the media threads need (≈ 0.3 of a
    /// core) stays theirs when the machine is loaded; only the moment they run changes.
    public static let liveMedia: Int32 = 1

    /// `SCHED_BATCH` (sched.h defines it only under _GNU_SOURCE).
    private static let batchPolicy: Int32 = 3

    /// True when the calling thread is a batch thread.
    public static var isBatch: Bool { sched_getscheduler(0) == batchPolicy }

    /// The calling thread's nice value.
    public static var current: Int32 {
        errno = 0
        let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        return errno == 0 ? value : 0
    }

    /// Makes the calling thread a batch thread and raises its nice value by `steps` (at most to 19); 0 or less
    /// changes nothing. Returns the nice value now in force (unchanged when the system refused).
    @discardableResult
    public static func lowerCurrentThread(by steps: Int32) -> Int32 {
        let before = current
        guard steps > 0 else { return before }
        var parameters = sched_param()
        parameters.sched_priority = 0
        _ = sched_setscheduler(0, batchPolicy, &parameters)
        let wanted = min(19, before + steps)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, wanted)
        return current
    }

    /// Runs `body` on a new thread named `name`, lowered as `lowerCurrentThread(by: steps)`, and returns its
    /// result, so that every thread `body` creates (FFmpeg's decoding threads, x264's encoding threads) starts
    /// with that lower priority, and with that name (as `top -H` shows it). `steps` ≤ 0 runs `body`
    /// on the calling thread. Blocks until `body` returns.
    public static func run<Value>(loweredBy steps: Int32, name: String,
                                  _ body: @escaping () throws -> Value) throws -> Value {
        guard steps > 0 else { return try body() }
        let call = Call(body: body)
        let done = DispatchSemaphore(value: 0)
        DedicatedThread.start(name: name, niceness: steps) {
            call.run()
            done.signal()
        }
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
