import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A serial executor that runs its jobs on one thread of its own, outside Swift's cooperative pool.
///
/// Blocking stages (BLAS inference, codecs, camera capture) become actors that use it, so their
/// blocking calls never occupy one of the pool's few threads (two on a 2-core machine):
///
///     actor VisionStage {
///         private let executor = DedicatedThreadExecutor(name: "clipseg-vision")
///         nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
///     }
///
/// Jobs run in the order they were enqueued. The thread ends when the executor is released (after the
/// jobs already queued) or on `shutdown()`. Memory: one thread with `stackSize` bytes of stack.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    /// The part the thread owns; it must not keep the executor itself alive.
    private final class Worker: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [UnownedJob] = []
        var stopping = false
        var exited = false
        var threadID: pthread_t?
        var executor: UnownedSerialExecutor?

        /// The thread's loop (named and lowered already: `DedicatedThread.start`).
        func run() {
            condition.lock()
            threadID = pthread_self()
            condition.broadcast()
            condition.unlock()
            var batch: [UnownedJob] = []
            while true {
                condition.lock()
                while jobs.isEmpty && !stopping { condition.wait() }
                if jobs.isEmpty {
                    exited = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                swap(&batch, &jobs)
                let executor = self.executor
                condition.unlock()
                if let executor {
                    for job in batch { job.runSynchronously(on: executor) }
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    private let worker = Worker()
    /// The thread's name (Linux shows the first 15 bytes, e.g. in `top -H`).
    public let name: String

    /// Starts a thread (`DedicatedThread.start`) named `name` with `stackSize` bytes of stack (default 8 MiB,
    /// as a main thread has), its nice value `niceness` above the creating thread's (`ThreadNiceness`; 0 keeps it).
    public init(name: String, stackSize: Int = DedicatedThread.defaultStackSize, niceness: Int32 = 0) {
        self.name = name
        let worker = self.worker
        DedicatedThread.start(name: name, niceness: niceness, stackSize: stackSize) { worker.run() }
        worker.condition.lock()
        while worker.threadID == nil { worker.condition.wait() }
        worker.condition.unlock()
        worker.condition.lock()
        worker.executor = asUnownedSerialExecutor()
        worker.condition.unlock()
    }

    deinit {
        worker.condition.lock()
        worker.stopping = true
        worker.condition.broadcast()
        worker.condition.unlock()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        worker.condition.lock()
        defer { worker.condition.unlock() }
        precondition(!worker.exited, "DedicatedThreadExecutor '\(name)': a job was enqueued after shutdown()")
        worker.jobs.append(unowned)
        worker.condition.signal()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True when called on this executor's thread.
    public var isCurrentThread: Bool {
        worker.condition.lock()
        defer { worker.condition.unlock() }
        guard let threadID = worker.threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Lets `assumeIsolated` work for actors on this executor when called from its thread.
    public func checkIsolated() {
        precondition(isCurrentThread, "not on the thread of DedicatedThreadExecutor '\(name)'")
    }

    /// True until the thread has ended.
    public var isRunning: Bool {
        worker.condition.lock()
        defer { worker.condition.unlock() }
        return !worker.exited
    }

    /// Runs the jobs already queued, then ends the thread and waits for it to end (unless called from
    /// that thread itself). No actor using this executor may be called afterwards.
    public func shutdown() {
        let onOwnThread = isCurrentThread
        worker.condition.lock()
        worker.stopping = true
        worker.condition.broadcast()
        if !onOwnThread {
            while !worker.exited { worker.condition.wait() }
        }
        worker.condition.unlock()
    }
}
