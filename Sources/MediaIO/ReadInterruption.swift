import CFFmpeg
import Synchronization

/// A flag FFmpeg polls during blocking I/O (`AVIOInterruptCB`): once raised, a read stalled on a
/// network stream returns `AVERROR_EXIT` instead of waiting on. Raised from any thread.
final class ReadInterruption: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .relaxed) }

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    /// The callback to install in an `AVFormatContext` before opening it; `self` must outlive the context.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<ReadInterruption>.fromOpaque(opaque).takeUnretainedValue().isRaised ? 1 : 0
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
