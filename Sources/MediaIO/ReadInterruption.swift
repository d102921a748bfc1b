import CFFmpeg
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What FFmpeg polls during blocking I/O (`AVIOInterruptCB`): once raised, or once the current read's
/// deadline has passed, a read waiting on a network stream returns `AVERROR_EXIT` instead of waiting on.
/// `raise()` is for stopping (any thread, e.g. a signal's); the deadline is the stall timeout, armed by the
/// reading thread before each blocking call (`arm(seconds:)`), so a silent socket never hangs a read.
final class ReadInterruption: Sendable {
    private let raised = Atomic<Bool>(false)
    /// `CLOCK_MONOTONIC` nanoseconds after which a read gives up; 0 = no deadline.
    private let deadline = Atomic<UInt64>(0)
    /// Set once a read was abandoned for its deadline (FFmpeg keeps that error: later reads fail at once).
    private let tripped = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .relaxed) }

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    /// Gives the blocking calls from now on `seconds` (nil: no limit) before they are abandoned.
    func arm(seconds: Double?) {
        guard let seconds else { deadline.store(0, ordering: .relaxed); return }
        deadline.store(ReadInterruption.now() + UInt64(max(0, seconds) * 1e9), ordering: .relaxed)
    }

    /// True once a blocking call was abandoned because its deadline passed (a stall, not a stop).
    var stallTripped: Bool { tripped.load(ordering: .relaxed) }

    /// True once an armed deadline has passed (the read was abandoned as stalled, not stopped).
    var deadlinePassed: Bool {
        let limit = deadline.load(ordering: .relaxed)
        return limit != 0 && ReadInterruption.now() >= limit
    }

    /// The callback to install in an `AVFormatContext` before opening it; `self` must outlive the context.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            let interruption = Unmanaged<ReadInterruption>.fromOpaque(opaque).takeUnretainedValue()
            if interruption.isRaised { return 1 }
            guard interruption.deadlinePassed else { return 0 }
            interruption.tripped.store(true, ordering: .relaxed)
            return 1
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
