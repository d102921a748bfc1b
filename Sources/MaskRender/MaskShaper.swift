import Foundation

/// Turns the model's logits into masks at the frame's size, once per frame:
///
/// 1. upscale each prompt's logits `[s, s]` to `[height, width]` (`BilinearResampler`: bilinear,
///    `align_corners=False`, as torch's `interpolate`), then sigmoid → probabilities;
/// 2. negative prompts (`--negative`): their maximum probability `n` is subtracted from every positive
///    prompt's, `p = max(0, p - n)`, so a pixel survives only where the positive clearly beats the negative;
/// 3. `--smooth ALPHA`: exponential moving average of the probabilities across frames, state per prompt,
///    restarted whenever the prompt list (its revision), the prompt count or the frame size changes;
///    `--smooth auto` (`MotionAwareSmoothing`): the same average with a weight per pixel from the picture's
///    change (`PictureChange`, bilinearly upsampled from blocks to the frame), steady where the picture is
///    still and following at once where it moves;
/// 4. masks: binary `p >= threshold ? 255 : 0`, or with `--soft` `round(255 * p)`;
/// 5. `--feather PX`: each mask is box-blurred twice with radius PX (a soft edge about 2·PX wide);
/// 6. union = pixel-wise maximum of the masks.
///
/// Buffers are kept between frames (no per-frame allocation when the previous `ShapedMasks` has been
/// released). One shaper belongs to one stage; it is not shared.
public struct MaskShaper: Sendable {
    /// Settings; `threshold` may change between frames (`--control threshold`).
    public var options: MaskOptions

    private var resampler: BilinearResampler?
    private var probabilities: [Float] = []
    private var negative: [Float] = []
    private var smoothed: [Float] = []
    /// Motion-aware smoothing: `[height, width]` weight of the newest frame per pixel, and its block upsampler.
    private var weights: [Float] = []
    private var blockWeights: [Float] = []
    private var weightResampler: BilinearResampler?
    private var smoothingKey: (revision: Int, prompts: Int, width: Int, height: Int)?
    private var masks: [UInt8] = []
    private var union: [UInt8] = []
    private var blur = BoxBlur()

    public init(options: MaskOptions = MaskOptions()) {
        self.options = options
    }

    /// Forgets the smoothing state (the next frame starts a new average).
    public mutating func resetSmoothing() { smoothingKey = nil }

    /// Shapes one frame.
    /// - Parameters:
    ///   - logits: `[positiveCount + negativeCount, logitsHeight, logitsWidth]`, positive prompts first
    ///     (in the prompt list's order, e.g. Pipeline's `PromptSet`), then negative prompts.
    ///   - frameWidth, frameHeight: the size of the frame the masks are for (≥ 1).
    ///   - promptRevision: the prompt list's revision (Pipeline's `PromptSet.revision`); a change restarts smoothing.
    ///   - pictureChange: with motion-aware smoothing, how much the picture changed since the previous frame
    ///     shaped (its blocks are stretched over the frame); nil: every pixel is smoothed as a still one.
    public mutating func shape(logits: UnsafeBufferPointer<Float>, logitsWidth: Int, logitsHeight: Int,
                               positiveCount: Int, negativeCount: Int = 0,
                               frameWidth: Int, frameHeight: Int, promptRevision: Int = 0,
                               pictureChange: PictureChange? = nil) -> ShapedMasks {
        let plane = frameWidth * frameHeight
        let logitsPlane = logitsWidth * logitsHeight
        precondition(positiveCount >= 0 && negativeCount >= 0 && plane > 0 && logitsPlane > 0
                     && logits.count == (positiveCount + negativeCount) * logitsPlane,
                     "MaskShaper: logits do not match \(positiveCount + negativeCount)x\(logitsHeight)x\(logitsWidth)")
        if resampler.map({ $0.sourceWidth != logitsWidth || $0.sourceHeight != logitsHeight
                           || $0.targetWidth != frameWidth || $0.targetHeight != frameHeight }) ?? true {
            resampler = BilinearResampler(sourceWidth: logitsWidth, sourceHeight: logitsHeight,
                                          targetWidth: frameWidth, targetHeight: frameHeight)
        }
        resize(&probabilities, positiveCount * plane, 0 as Float)
        resize(&masks, positiveCount * plane, 0 as UInt8)
        resize(&union, plane, 0 as UInt8)

        var resampler = self.resampler!
        self.resampler = nil  // keeps its scratch buffer uniquely referenced while in use
        probabilities.withUnsafeMutableBufferPointer { out in
            for p in 0..<positiveCount {
                Self.upscaleSigmoid(UnsafeBufferPointer(rebasing: logits[(p * logitsPlane)..<((p + 1) * logitsPlane)]),
                                    into: UnsafeMutableBufferPointer(rebasing: out[(p * plane)..<((p + 1) * plane)]),
                                    resampler: &resampler)
            }
        }
        if negativeCount > 0 && positiveCount > 0 {
            subtractNegatives(logits, logitsPlane: logitsPlane, from: positiveCount, count: negativeCount,
                              plane: plane, resampler: &resampler)
        }
        self.resampler = resampler
        let key = (revision: promptRevision, prompts: positiveCount, width: frameWidth, height: frameHeight)
        if let motionAware = options.motionAwareSmoothing {
            makeWeights(motionAware, change: pictureChange, width: frameWidth, height: frameHeight)
            smooth(alpha: motionAware.stillWeight, perPixel: true, key: key)
        } else if let alpha = options.smoothing, alpha < 1 {
            smooth(alpha: alpha, perPixel: false, key: key)
        } else {
            smoothingKey = nil
        }
        makeMasks(plane: plane, prompts: positiveCount, width: frameWidth, height: frameHeight)
        return ShapedMasks(width: frameWidth, height: frameHeight, promptCount: positiveCount,
                           threshold: options.threshold, probabilities: probabilities, masks: masks, union: union)
    }

    /// `shape` for logits held in an array.
    public mutating func shape(logits: [Float], logitsWidth: Int, logitsHeight: Int, positiveCount: Int,
                               negativeCount: Int = 0, frameWidth: Int, frameHeight: Int,
                               promptRevision: Int = 0, pictureChange: PictureChange? = nil) -> ShapedMasks {
        logits.withUnsafeBufferPointer {
            shape(logits: $0, logitsWidth: logitsWidth, logitsHeight: logitsHeight, positiveCount: positiveCount,
                  negativeCount: negativeCount, frameWidth: frameWidth, frameHeight: frameHeight,
                  promptRevision: promptRevision, pictureChange: pictureChange)
        }
    }

    private func resize<T>(_ buffer: inout [T], _ count: Int, _ zero: T) {
        if buffer.count != count { buffer = [T](repeating: zero, count: count) }
    }

    private static func upscaleSigmoid(_ logits: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
                                       resampler: inout BilinearResampler) {
        resampler.resample(logits, into: out)
        for i in out.indices { out[i] = 1 / (1 + expf(-out[i])) }
    }

    private mutating func subtractNegatives(_ logits: UnsafeBufferPointer<Float>, logitsPlane: Int,
                                            from first: Int, count: Int, plane: Int,
                                            resampler: inout BilinearResampler) {
        resize(&negative, 2 * plane, 0 as Float)
        var negative = self.negative
        self.negative = []
        defer { self.negative = negative }
        negative.withUnsafeMutableBufferPointer { buffer in
            let strongest = UnsafeMutableBufferPointer(rebasing: buffer[0..<plane])
            let current = UnsafeMutableBufferPointer(rebasing: buffer[plane..<(2 * plane)])
            for n in 0..<count {
                let index = first + n
                let source = UnsafeBufferPointer(rebasing: logits[(index * logitsPlane)..<((index + 1) * logitsPlane)])
                Self.upscaleSigmoid(source, into: n == 0 ? strongest : current, resampler: &resampler)
                if n > 0 { for i in 0..<plane { strongest[i] = max(strongest[i], current[i]) } }
            }
            probabilities.withUnsafeMutableBufferPointer { probabilities in
                for p in 0..<(probabilities.count / plane) {
                    let base = probabilities.baseAddress! + p * plane
                    for i in 0..<plane { base[i] = max(0, base[i] - strongest[i]) }
                }
            }
        }
    }

    /// The weight of the newest frame per frame pixel into `weights` (`stillWeight` everywhere without a change map).
    private mutating func makeWeights(_ motionAware: MotionAwareSmoothing, change: PictureChange?, width: Int, height: Int) {
        resize(&weights, width * height, 0 as Float)
        guard let change else {
            for i in weights.indices { weights[i] = motionAware.stillWeight }
            return
        }
        blockWeights = change.change.map(motionAware.weight(forChange:))
        if weightResampler.map({ $0.sourceWidth != change.width || $0.sourceHeight != change.height
                                 || $0.targetWidth != width || $0.targetHeight != height }) ?? true {
            weightResampler = BilinearResampler(sourceWidth: change.width, sourceHeight: change.height,
                                                targetWidth: width, targetHeight: height)
        }
        var resampler = weightResampler!
        weightResampler = nil  // keeps its scratch buffer uniquely referenced while in use
        blockWeights.withUnsafeBufferPointer { blocks in
            weights.withUnsafeMutableBufferPointer { resampler.resample(blocks, into: $0) }
        }
        weightResampler = resampler
    }

    /// Exponential moving average: weight `alpha` for the newest frame, or with `perPixel` the weight in
    /// `weights` for each pixel (the same plane for every prompt).
    private mutating func smooth(alpha: Float, perPixel: Bool,
                                 key: (revision: Int, prompts: Int, width: Int, height: Int)) {
        let continuing = smoothingKey.map { $0 == key } ?? false
        smoothingKey = key
        guard continuing, smoothed.count == probabilities.count else {
            smoothed = probabilities
            return
        }
        let plane = key.width * key.height
        smoothed.withUnsafeMutableBufferPointer { state in
            probabilities.withUnsafeMutableBufferPointer { now in
                weights.withUnsafeBufferPointer { weights in
                    for start in stride(from: 0, to: now.count, by: plane) {
                        for i in 0..<plane {
                            let weight = perPixel ? weights[i] : alpha
                            let value = weight * now[start + i] + (1 - weight) * state[start + i]
                            state[start + i] = value
                            now[start + i] = value
                        }
                    }
                }
            }
        }
    }

    private mutating func makeMasks(plane: Int, prompts: Int, width: Int, height: Int) {
        let threshold = options.threshold, soft = options.soft
        probabilities.withUnsafeBufferPointer { probabilities in
            masks.withUnsafeMutableBufferPointer { masks in
                if soft {
                    for i in masks.indices { masks[i] = roundedByte(probabilities[i] * 255) }
                } else {
                    for i in masks.indices { masks[i] = probabilities[i] >= threshold ? 255 : 0 }
                }
                if options.featherRadius > 0 {
                    for p in 0..<prompts {
                        blur.blur(UnsafeMutableBufferPointer(rebasing: masks[(p * plane)..<((p + 1) * plane)]),
                                  width: width, height: height, channels: 1, radius: options.featherRadius, passes: 2)
                    }
                }
                union.withUnsafeMutableBufferPointer { union in
                    for i in 0..<plane { union[i] = 0 }
                    for p in 0..<prompts {
                        let base = masks.baseAddress! + p * plane
                        for i in 0..<plane { union[i] = max(union[i], base[i]) }
                    }
                }
            }
        }
    }
}
