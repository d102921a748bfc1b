import Foundation

/// Whether the vision and decoder stages may run the model at the same moment.
///
/// With single-threaded BLAS (`--threads 1`, the default on two cores) two stages computing at once use
/// two cores: the decoder's work on frame N overlaps the encoder's on frame N+1. With a multi-threaded
/// BLAS, two callers fight over OpenBLAS's one thread pool (its workers spin while they wait): measured
/// here with two BLAS threads, a 500-frame run of the small fixture model at `--size 384` took 39.7 s
/// with both stages computing at once and 15.1 s with them taking turns. So with more than one BLAS
/// thread the stages take turns, each call then using every BLAS thread.
public final class InferenceExclusion: Sendable {
    private let lock: NSLock?

    /// Turns are taken when `exclusive` (pass `blasThreads > 1`).
    public init(exclusive: Bool) {
        lock = exclusive ? NSLock() : nil
    }

    public var isExclusive: Bool { lock != nil }

    /// Runs `body`, waiting for the other stage's call to end first when exclusive. Call only from a
    /// stage's dedicated thread (it may block).
    public func run<Value>(_ body: () throws -> Value) rethrows -> Value {
        guard let lock else { return try body() }
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
