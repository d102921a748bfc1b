/// The masks of one frame at the frame's size, as `MaskShaper` made them.
///
/// All planes are row-major, top row first, `width * height` values each, prompts in the prompt list's order
/// (negative prompts are not included: they were already subtracted). The arrays share memory with the
/// shaper's buffers; drop this value before shaping the next frame and no memory is copied.
public struct ShapedMasks: Sendable {
    public let width: Int
    public let height: Int
    /// Number of (positive) prompts.
    public let promptCount: Int
    /// The threshold the binary masks and labels were made with.
    public let threshold: Float
    /// Probabilities 0…1 after the sigmoid, negative-prompt subtraction and smoothing, before feathering:
    /// `[promptCount, height, width]`.
    public let probabilities: [Float]
    /// Per-prompt masks 0…255 (binary 0/255, or probabilities with `--soft`), feathered:
    /// `[promptCount, height, width]`.
    public let masks: [UInt8]
    /// The union of the prompts (pixel-wise maximum of `masks`): `[height, width]`.
    public let union: [UInt8]

    public init(width: Int, height: Int, promptCount: Int, threshold: Float,
                probabilities: [Float], masks: [UInt8], union: [UInt8]) {
        precondition(probabilities.count == promptCount * width * height && masks.count == probabilities.count
                     && union.count == width * height, "ShapedMasks: planes do not match \(promptCount)x\(height)x\(width)")
        self.width = width
        self.height = height
        self.promptCount = promptCount
        self.threshold = threshold
        self.probabilities = probabilities
        self.masks = masks
        self.union = union
    }

    /// Pixels per plane.
    public var planeSize: Int { width * height }

    /// The label map: pixel = 1-based index of the most probable prompt whose probability reaches the
    /// threshold (the first one on a tie), 0 where none does. Written into `labels` (resized to
    /// `width * height` if needed, so a caller can reuse one buffer). At most 255 prompts are labelled.
    public func writeLabels(into labels: inout [UInt8]) {
        let count = planeSize
        if labels.count != count { labels = [UInt8](repeating: 0, count: count) }
        let prompts = min(promptCount, 255)
        probabilities.withUnsafeBufferPointer { probabilities in
            labels.withUnsafeMutableBufferPointer { labels in
                for i in 0..<count { labels[i] = 0 }
                guard prompts > 0 else { return }
                // One pass per prompt over contiguous planes; `labels` holds the winner so far and the
                // winner's probability is read back from its plane.
                for p in 0..<prompts {
                    let plane = probabilities.baseAddress! + p * count
                    let label = UInt8(p + 1)
                    for i in 0..<count {
                        let value = plane[i]
                        guard value >= threshold else { continue }
                        let current = labels[i]
                        if current == 0 || value > probabilities[Int(current - 1) * count + i] { labels[i] = label }
                    }
                }
            }
        }
    }

    /// Prompt `index`'s mask plane, without copying (for `stack` mask streams).
    public func maskPlane(_ index: Int) -> ArraySlice<UInt8> {
        masks[(index * planeSize)..<((index + 1) * planeSize)]
    }

    /// Prompt `index`'s probability plane, without copying.
    public func probabilityPlane(_ index: Int) -> ArraySlice<Float> {
        probabilities[(index * planeSize)..<((index + 1) * planeSize)]
    }

    /// The planes a mask stream writes for one frame in `layout`: one plane for `union` and `labels`,
    /// `promptCount` planes for `stack`.
    public func planes(for layout: MaskLayout) -> [[UInt8]] {
        switch layout {
        case .union:
            return [union]
        case .labels:
            var labels: [UInt8] = []
            writeLabels(into: &labels)
            return [labels]
        case .stack:
            return (0..<promptCount).map { Array(maskPlane($0)) }
        }
    }
}
