import Dispatch

/// Runs independent chunks of one computation on up to `threads` threads and returns when all are
/// done: the calling thread takes part, the others come from libdispatch's worker threads (not
/// Swift's cooperative pool). Chunks are handed out dynamically, so a thread the scheduler
/// pre-empts (a shared, loaded machine) does not hold the others back as a fixed split would.
///
/// The chunks must not depend on each other's results, and anything a chunk writes must be disjoint
/// from what the others read or write. GEMMs inside chunks should run single-threaded in OpenBLAS
/// (`MatrixMultiply.threadCount = 1`), or the two kinds of threads oversubscribe the cores.
public enum ParallelLoop {
    /// Calls `body(chunk)` for every `chunk` in `0..<chunks`; serially, in order, when `threads <= 1`.
    public static func run(chunks: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || chunks <= 1 {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        // `concurrentPerform` returns only after every chunk ran, so `body` never outlives this call;
        // the chunks' disjointness (documented above) is what makes sharing it between threads sound.
        withoutActuallyEscaping(body) { body in
            let shared = SharedBody(call: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { shared.call($0) }
        }
    }

    /// `body` handed to the worker threads.
    private struct SharedBody: @unchecked Sendable {
        let call: (Int) -> Void
    }

    /// The `part`-th of `parts` near-equal consecutive pieces of `range` (earlier pieces one larger
    /// when it does not divide evenly), each a multiple of `granule` long except the last.
    @inlinable
    public static func piece(_ part: Int, of parts: Int, _ range: Range<Int>, granule: Int = 1) -> Range<Int> {
        let units = (range.count + granule - 1) / granule
        let base = units / parts, extra = units % parts
        let startUnit = part * base + min(part, extra)
        let endUnit = startUnit + base + (part < extra ? 1 : 0)
        return (range.lowerBound + min(startUnit * granule, range.count))
            ..< (range.lowerBound + min(endUnit * granule, range.count))
    }
}
