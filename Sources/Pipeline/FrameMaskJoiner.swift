/// Pairs every captured frame with the mask to draw on it, in capture order, for the compositor.
///
/// Frames reach the compositor losslessly (in capture order) while the model sees only some of them
/// (latest-wins drops the rest). Each frame's fate arrives separately: its own mask (it was processed)
/// or a drop notice. A frame is released once its fate is known and every earlier frame was released:
/// - processed → with its own mask;
/// - dropped → `keepFrames`: with the mask of the most recent processed frame before it (nil when no frame
///   was processed yet); `processedOnly`: not released at all.
///
/// Frames are matched by `RGBFrame.index` (gaps allowed), not by position. A pure value: the caller feeds
/// events from its stages and renders what `takeReady()` returns. Memory: frames and masks in flight only.
public struct FrameMaskJoiner<Frame, Mask> {
    /// What happens to frames the model did not see.
    public enum Policy: Sendable, Equatable {
        /// Every frame is written, dropped ones with the latest mask (`--keep-frames`).
        case keepFrames
        /// Only processed frames are written (`--processed-only`).
        case processedOnly
    }

    /// A frame ready to render.
    public struct Joined {
        public var frame: Frame
        public var frameIndex: Int
        /// The mask to draw (nil: no frame processed yet, draw nothing).
        public var mask: Mask?
        /// Index of the frame the mask was computed on (equal to `frameIndex` for processed frames).
        public var maskIndex: Int?
    }

    fileprivate enum Fate {
        case processed(Mask)
        case dropped
    }

    public let policy: Policy
    private var waiting: [(index: Int, frame: Frame)] = []
    private var head = 0
    private var fates: [Int: Fate] = [:]
    private var latest: (index: Int, mask: Mask)?
    /// Frames released so far, and frames not released because of `processedOnly`.
    public private(set) var releasedCount = 0
    public private(set) var skippedCount = 0

    public init(policy: Policy) { self.policy = policy }

    /// Frames waiting for their fate (or for an earlier frame's).
    public var pendingCount: Int { waiting.count - head }

    /// A captured frame arrived at the compositor (call in capture order).
    public mutating func frameArrived(index: Int, _ frame: Frame) {
        waiting.append((index, frame))
    }

    /// The model produced `mask` for frame `index`.
    public mutating func maskArrived(index: Int, _ mask: Mask) {
        fates[index] = .processed(mask)
    }

    /// Frame `index` was dropped before the model (or discarded on cancellation).
    public mutating func frameDropped(index: Int) {
        fates[index] = .dropped
    }

    /// Frames now ready, in capture order.
    public mutating func takeReady() -> [Joined] {
        var ready: [Joined] = []
        while head < waiting.count, let fate = fates[waiting[head].index] {
            release(fate, into: &ready)
        }
        compact()
        return ready
    }

    /// End of the run: releases every remaining frame; those whose fate never came count as dropped.
    public mutating func finish() -> [Joined] {
        var ready = takeReady()
        while head < waiting.count {
            release(fates[waiting[head].index] ?? .dropped, into: &ready)
        }
        compact()
        fates.removeAll()
        return ready
    }

    private mutating func release(_ fate: Fate, into ready: inout [Joined]) {
        let (index, frame) = waiting[head]
        head += 1
        fates[index] = nil
        switch fate {
        case .processed(let mask):
            latest = (index, mask)
            ready.append(Joined(frame: frame, frameIndex: index, mask: mask, maskIndex: index))
            releasedCount += 1
        case .dropped:
            switch policy {
            case .keepFrames:
                ready.append(Joined(frame: frame, frameIndex: index, mask: latest?.mask, maskIndex: latest?.index))
                releasedCount += 1
            case .processedOnly:
                skippedCount += 1
            }
        }
    }

    private mutating func compact() {
        if head > 32 && head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
    }
}

extension FrameMaskJoiner: Sendable where Frame: Sendable, Mask: Sendable {}
extension FrameMaskJoiner.Joined: Sendable where Frame: Sendable, Mask: Sendable {}
extension FrameMaskJoiner.Fate: Sendable where Frame: Sendable, Mask: Sendable {}
