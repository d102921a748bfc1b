/// Resizes float planes with bilinear interpolation exactly as
/// `torch.nn.functional.interpolate(mode="bilinear", align_corners=False)` (no antialiasing):
/// target pixel `d` samples source coordinate `s = (d + 0.5) * (in / out) - 0.5`, clamped below at 0,
/// between `floor(s)` and the next pixel (clamped at the last one).
///
/// Why this choice: it is what CLIPSeg users do with `outputs.logits` to reach the image size, so masks
/// match the Python reference; the half-pixel convention keeps the mask centred on the frame (with
/// `align_corners=True` the mask would be shifted by up to half a model pixel at the borders).
///
/// The index and weight tables are computed once per size pair; `resample` is two contiguous passes
/// (horizontal into a scratch buffer of `sourceHeight * targetWidth` floats, then vertical) and allocates
/// nothing.
public struct BilinearResampler: Sendable {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let targetWidth: Int
    public let targetHeight: Int

    private let column0: [Int], column1: [Int], columnWeight: [Float]
    private let row0: [Int], row1: [Int], rowWeight: [Float]
    private var rows: [Float]

    /// Tables for `[sourceHeight, sourceWidth]` → `[targetHeight, targetWidth]` (all sizes ≥ 1).
    public init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int) {
        precondition(sourceWidth > 0 && sourceHeight > 0 && targetWidth > 0 && targetHeight > 0,
                     "BilinearResampler needs positive sizes")
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        (column0, column1, columnWeight) = Self.taps(source: sourceWidth, target: targetWidth)
        (row0, row1, rowWeight) = Self.taps(source: sourceHeight, target: targetHeight)
        rows = [Float](repeating: 0, count: sourceHeight * targetWidth)
    }

    /// For each target index: the two source indices and the weight of the second, in float32 as torch
    /// computes them for float32 input.
    private static func taps(source: Int, target: Int) -> ([Int], [Int], [Float]) {
        let scale = Float(source) / Float(target)
        var first = [Int](repeating: 0, count: target)
        var second = [Int](repeating: 0, count: target)
        var weight = [Float](repeating: 0, count: target)
        for index in 0..<target {
            let position = max(0, scale * (Float(index) + 0.5) - 0.5)
            let lower = min(Int(position), source - 1)
            first[index] = lower
            second[index] = lower < source - 1 ? lower + 1 : lower
            weight[index] = position - Float(lower)
        }
        return (first, second, weight)
    }

    /// Resizes one plane: `source` holds `sourceHeight * sourceWidth` floats, `target` receives
    /// `targetHeight * targetWidth` floats (row-major, top row first).
    public mutating func resample(_ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>) {
        precondition(source.count >= sourceWidth * sourceHeight && target.count >= targetWidth * targetHeight,
                     "BilinearResampler: buffers too small")
        let sourceWidth = self.sourceWidth, targetWidth = self.targetWidth
        column0.withUnsafeBufferPointer { c0 in
        column1.withUnsafeBufferPointer { c1 in
        columnWeight.withUnsafeBufferPointer { cw in
        rows.withUnsafeMutableBufferPointer { rows in
            for y in 0..<sourceHeight {
                let input = source.baseAddress! + y * sourceWidth
                let output = rows.baseAddress! + y * targetWidth
                for x in 0..<targetWidth {
                    let w1 = cw[x]
                    output[x] = (1 - w1) * input[c0[x]] + w1 * input[c1[x]]
                }
            }
            for y in 0..<targetHeight {
                let upper = UnsafePointer(rows.baseAddress! + row0[y] * targetWidth)
                let lower = UnsafePointer(rows.baseAddress! + row1[y] * targetWidth)
                let output = target.baseAddress! + y * targetWidth
                let w1 = rowWeight[y], w0 = 1 - w1
                for x in 0..<targetWidth {
                    output[x] = w0 * upper[x] + w1 * lower[x]
                }
            }
        }}}}
    }
}
