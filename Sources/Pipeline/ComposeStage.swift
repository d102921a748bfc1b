import MaskRender
import StreamKit
import VideoFrames

/// What the compose stage makes of the masks (`--mode`, `--background`, mask shaping, `--mask-layout`,
/// `--keep-frames` / `--processed-only`) and the size of every output.
public struct CompositionSettings: Sendable {
    public var mode: OutputMode
    public var background: Background?
    public var maskOptions: MaskOptions
    public var maskLayout: MaskLayout
    /// Write frames dropped before the model, composed with the most recent mask (`--keep-frames`);
    /// when false only processed frames are written (`--processed-only`).
    public var keepDroppedFrames: Bool
    /// With `keepDroppedFrames`: move the most recent masks by the motion between the frame they were computed
    /// on and each dropped frame (`MaskMotionFollower`), instead of writing them where they were.
    public var followMotion: Bool
    /// Size of the output video and masks (the source's). Frames of another size are stretched to it.
    public var outputWidth: Int
    public var outputHeight: Int
    /// Prompts with effects of their own (`--keep`, `--blur`, … `--redact`); changed by control commands.
    public var effects: PromptEffects
    /// `--frame TEXT`: the picture follows this prompt's region (`AutoFraming`); masks and statistics stay whole.
    public var framedPrompt: String?

    public init(mode: OutputMode = .overlay, background: Background? = nil, maskOptions: MaskOptions = MaskOptions(),
                maskLayout: MaskLayout = .union, keepDroppedFrames: Bool = true, followMotion: Bool = false,
                outputWidth: Int, outputHeight: Int, effects: PromptEffects = PromptEffects(), framedPrompt: String? = nil) {
        self.effects = effects
        self.framedPrompt = framedPrompt
        self.mode = mode
        self.background = background
        self.maskOptions = maskOptions
        self.maskLayout = maskLayout
        self.keepDroppedFrames = keepDroppedFrames
        self.followMotion = followMotion
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
    }
}

/// Compose stage, on its own thread: takes every captured frame in capture order from the lossless
/// keep-frames queue, waits for its fate in the `FrameLedger`, and
/// - processed: upscales its logits to the frame (`MaskShaper`: sigmoid, negatives, smoothing,
///   threshold, feather) and measures capture → mask latency;
/// - dropped before the model: reuses the most recent masks (or skips the frame with `--processed-only`),
///   with `followMotion` moved by the motion since the frame they were computed on (their own overlay and
///   statistics, the line keeping `mask_frame`) unless the frame has already waited half the lateness bound;
///
/// then renders what the sinks need (picture via `Compositor`, mask planes, statistics line) and hands
/// the frame to every sink's queue. A sink whose reader went away is left out from then on.
actor ComposeStage {
    /// One sink's queue and what it reads.
    struct Output: Sendable {
        var channel: BoundedChannel<ComposedFrame>
        var needs: SinkNeeds
    }

    /// The masks frames are composed with until the next processed frame.
    private struct CurrentMasks {
        var masks: ShapedMasks
        /// The frame they were computed on; nil for the empty masks used before the first result.
        var index: Int?
        var names: [String]
        /// Timestamp of the frame they were computed on (redaction blanks frames whose masks are too old).
        var timestamp: Double?
        var statistics: FrameStatistics?
        /// What the model's encoding of that frame cost with token reuse.
        var tokensRecomputed: Double?
        /// Overlay mode: the overlay of `masks`, planned on the first frame composed with them.
        var overlay: OverlayPlan?
    }

    private let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let settings: CompositionSettings
    private let monitor: RunMonitor
    private var shaper: MaskShaper
    private var compositor: Compositor
    private var effects: PromptEffects
    private var painter: RegionEffectPainter
    private var framing = AutoFraming()
    private var current: CurrentMasks?
    /// `followMotion`: the reference thumbnail (last processed frame) and the last motion field.
    private var motion: MaskMotionFollower?
    /// Motion-aware smoothing (`--smooth auto`): the picture's change between processed frames.
    private var pictureChange: PictureChangeTracker?
    /// Live runs: what composing a frame with moved masks last cost (seconds; halved at each processed frame).
    private var movingCost = 0.0
    private let initialNames: [String]
    /// Live runs: a frame older than this (seconds since capture) is not composed while newer frames wait.
    private let staleAfter: (seconds: Double, clock: any MonotonicClock)?

    /// `niceness`: how far below the model's threads the compose thread runs (`ThreadNiceness`).
    /// `staleAfter` (live runs): a frame that has waited longer than that for the compositor, with newer ones
    /// waiting, is passed over (counted by `RunMonitor.recordSkippedBeforeCompose`), so a slow compositor or
    /// encoder cannot make latency grow; a processed frame's masks are still taken up. Waiting for the model's
    /// result does not count: a frame's wait starts at its capture or at the end of the last wait for a
    /// result, whichever is later.
    init(settings: CompositionSettings, initialPromptNames: [String], monitor: RunMonitor, niceness: Int32 = 0,
         staleAfter: (seconds: Double, clock: any MonotonicClock)? = nil) {
        self.staleAfter = staleAfter
        executor = DedicatedThreadExecutor(name: "clipseg-compose", niceness: niceness)
        self.settings = settings
        self.monitor = monitor
        shaper = MaskShaper(options: settings.maskOptions)
        compositor = Compositor(mode: settings.mode, background: settings.background)
        effects = settings.effects
        painter = RegionEffectPainter(redactionMargin: settings.effects.redactionMargin, background: settings.background)
        motion = settings.followMotion && settings.keepDroppedFrames ? MaskMotionFollower() : nil
        pictureChange = settings.maskOptions.motionAwareSmoothing != nil ? PictureChangeTracker() : nil
        initialNames = initialPromptNames
    }

    /// `--control threshold`: applies from the next processed frame.
    func setThreshold(_ threshold: Float) {
        shaper.options.threshold = threshold
    }

    /// `--control smooth`: the newest frame's weight in the masks' running average (1: none), from the next
    /// processed frame on.
    func setSmoothing(_ weight: Float) {
        // A weight asked for by name replaces motion-aware smoothing (the live default): plain EMA, or none at 1.
        shaper.options.motionAwareSmoothing = nil
        shaper.options.smoothing = weight < 1 ? weight : nil
    }

    /// `--control` effect commands: `prompt`'s effect from the next frame composed (nil: none).
    func setEffect(_ effect: RegionEffect?, for prompt: String) {
        effects.set(effect, for: prompt)
    }

    /// Composes every frame of `frames` until it ends, then finishes every output queue (also when it throws).
    func run(frames: BoundedChannel<CapturedFrame>, ledger: FrameLedger<MaskDecoderOutput>, outputs: [Output]) async throws {
        defer { outputs.forEach { $0.channel.finish() } }
        var open = outputs
        var lastResultWait = -Double.infinity
        for try await captured in frames {
            let frame = captured.frame
            var maskFrame: Int?
            var moved: CurrentMasks?
            let asked = staleAfter?.clock.now()
            let outcome = try await ledger.outcome(of: frame.index)
            var stale = false, hurried = false
            if let staleAfter, let asked {
                let now = staleAfter.clock.now()
                if now - asked > 0.002 { lastResultWait = now }
                let waited = now - max(captured.capturedAt, lastResultWait)
                stale = waited > staleAfter.seconds && frames.depth > 0
                // A dropped frame that could not be moved within half the bound takes the unmoved mask: cheaper
                // than being passed over. The cost estimate halves at each processed frame, so motion is tried again.
                hurried = waited + movingCost > staleAfter.seconds / 2 && frames.depth > 0
            }
            switch outcome {
            case .processed(let decoded):
                current = nil  // lets the shaper reuse its buffers
                current = CurrentMasks(masks: shape(decoded, on: frame), index: frame.index, names: decoded.positiveNames,
                                       timestamp: frame.timestamp, tokensRecomputed: decoded.tokensRecomputed)
                monitor.recordProcessed(capturedAt: captured.capturedAt)
                motion?.reset(to: frame)
                movingCost /= 2  // a machine that was too slow to move masks is tried again, after a while
                if stale {
                    monitor.recordSkippedBeforeCompose()
                    continue
                }
            case .dropped:
                if stale {
                    monitor.recordSkippedBeforeCompose()
                    continue
                }
                guard settings.keepDroppedFrames else { continue }
                if current == nil { current = emptyMasks() }
                maskFrame = current?.index
                monitor.recordReusedMask()
                if !hurried, let reused = current, reused.index != nil,
                   let masks = motion?.follow(reused.masks, to: frame) {
                    moved = CurrentMasks(masks: masks, index: reused.index, names: reused.names, timestamp: reused.timestamp)
                    monitor.recordMovedMask()
                }
            }
            guard !open.isEmpty else { continue }
            let needs = open.reduce(SinkNeeds()) { $0.union($1.needs) }
            let composed: ComposedFrame
            if var moved {
                composed = try compose(frame, with: &moved, maskFrame: maskFrame, needs: needs)
                if let staleAfter, let asked { movingCost = staleAfter.clock.now() - max(asked, lastResultWait) }
            } else {
                guard var reused = current else {
                    throw CompositorError(message: "internal: no masks to compose frame \(frame.index)")
                }
                composed = try compose(frame, with: &reused, maskFrame: maskFrame, needs: needs)
                current = reused  // with the overlay plan and statistics worked out for the next frames
            }
            var delivered: [Output] = []
            for output in open {
                do {
                    try await output.channel.send(composed)
                    delivered.append(output)
                } catch {
                    // The sink closed its queue (its reader went away); leave it out from now on.
                }
            }
            open = delivered
            if !delivered.isEmpty { monitor.recordWritten() }
        }
    }

    /// The masks of `decoded`, computed on `frame` (whose change since the last processed frame steers
    /// motion-aware smoothing).
    private func shape(_ decoded: MaskDecoderOutput, on frame: RGBFrame) -> ShapedMasks {
        let change = pictureChange?.change(to: frame)
        let logits = decoded.logits
        return logits.values.withUnsafeBufferPointer { values in
            shaper.shape(logits: values, logitsWidth: logits.width, logitsHeight: logits.height,
                         positiveCount: decoded.positiveCount, negativeCount: decoded.negativeCount,
                         frameWidth: settings.outputWidth, frameHeight: settings.outputHeight,
                         promptRevision: decoded.promptRevision, pictureChange: change)
        }
    }

    /// All-background masks for frames composed before any result exists.
    private func emptyMasks() -> CurrentMasks {
        let plane = settings.outputWidth * settings.outputHeight, count = initialNames.count
        let masks = ShapedMasks(width: settings.outputWidth, height: settings.outputHeight, promptCount: count,
                                threshold: shaper.options.threshold,
                                probabilities: [Float](repeating: 0, count: count * plane),
                                masks: [UInt8](repeating: 0, count: count * plane),
                                union: [UInt8](repeating: 0, count: plane))
        return CurrentMasks(masks: masks, index: nil, names: initialNames)
    }

    /// Composes `frame` with `current`, keeping in it the overlay plan and statistics worked out on the way.
    private func compose(_ frame: RGBFrame, with current: inout CurrentMasks, maskFrame: Int?,
                         needs: SinkNeeds) throws -> ComposedFrame {
        var composed = ComposedFrame(index: frame.index, timestamp: frame.timestamp)
        if needs.contains(.picture) {
            var picture = fitted(frame)
            let regionEffects = effects.effects(for: current.names)
            if regionEffects.allSatisfy({ $0 == nil }) {
                if compositor.mode == .overlay {
                    let plan = current.overlay ?? compositor.overlayPlan(for: current.masks)
                    current.overlay = plan
                    try plan.paint(&picture)
                } else {
                    try compositor.render(&picture, masks: current.masks)
                }
                if needs.contains(.alpha) { composed.alpha = compositor.alpha.isEmpty ? current.masks.union : compositor.alpha }
            } else {
                let alpha = try paintEffects(&picture, regionEffects, current: current)
                if needs.contains(.alpha) { composed.alpha = alpha }
            }
            if let framed = settings.framedPrompt {
                let measured = current.statistics ?? FrameStatistics.measure(current.masks, prompts: current.names,
                                                                             frame: frame.index, time: frame.timestamp)
                current.statistics = measured
                let box = measured.prompts.first { PromptSet.key($0.prompt) == PromptSet.key(framed) }?.boundingBox
                picture = AutoFraming.crop(picture, to: framing.update(box: box, frameWidth: picture.width,
                                                                       frameHeight: picture.height, time: frame.timestamp))
            }
            if let color = effects.redactionColor, masksTooOldToRedact(current, at: frame) {
                RegionEffectPainter.blank(&picture, color: color)
                if composed.alpha != nil { composed.alpha = [UInt8](repeating: 255, count: picture.width * picture.height) }
            }
            composed.picture = picture
        }
        if needs.contains(.masks) {
            composed.maskPlanes = current.masks.planes(for: settings.maskLayout)
        }
        if needs.contains(.statistics) {
            let measured = current.statistics ?? FrameStatistics.measure(current.masks, prompts: current.names,
                                                                         frame: frame.index, time: frame.timestamp)
            current.statistics = measured
            let statistics = FrameStatistics(frame: frame.index, time: frame.timestamp, maskFrame: maskFrame,
                                             tokensRecomputed: maskFrame == nil ? current.tokensRecomputed : nil,
                                             prompts: measured.prompts)
            composed.statistics = statistics.jsonLine()
            composed.measurements = statistics
        }
        return composed
    }

    /// The `--mode` rendering of the prompts without an effect (and `keep` ones in blur, replace and cutout modes;
    /// none: the frame as it is), then
    /// each effect painted over it from the frame as it was.
    /// Returns the alpha plane for alpha-capable outputs (cutout: the objects' union; opaque without objects).
    private func paintEffects(_ picture: inout RGBFrame, _ regionEffects: [RegionEffect?],
                              current: CurrentMasks) throws -> [UInt8] {
        let original = picture
        // Kept prompts are objects where --mode treats a background (blur, replace, cutout); overlay and matte draw
        // only the plain prompts, leaving kept regions as they are.
        let keepsAreObjects = [.blur, .replace, .cutout].contains(compositor.mode)
        let objects = regionEffects.indices.filter { regionEffects[$0] == nil || (keepsAreObjects && regionEffects[$0] == .keep) }
        var alpha = [UInt8](repeating: 255, count: picture.width * picture.height)
        if !objects.isEmpty {
            let masks = current.masks.selecting(objects)
            try compositor.render(&picture, masks: masks)
            alpha = compositor.alpha.isEmpty ? masks.union : compositor.alpha
        }
        try painter.paint(&picture, original: original, masks: current.masks, effects: regionEffects)
        return alpha
    }

    /// Redaction fails closed: no masks yet, masks older than `redactionMaxAge`, or a redacted prompt the masks
    /// were not made for (added since).
    private func masksTooOldToRedact(_ current: CurrentMasks, at frame: RGBFrame) -> Bool {
        guard let made = current.timestamp else { return true }
        return frame.timestamp - made > effects.redactionMaxAge || effects.redactsBeyond(current.names)
    }

    /// `frame` at the output size (stretched when the source changed size mid-stream).
    private func fitted(_ frame: RGBFrame) -> RGBFrame {
        let width = settings.outputWidth, height = settings.outputHeight
        guard frame.width != width || frame.height != height else { return frame }
        return RGBFrame(width: width, height: height, pixels: Background.stretch(frame, width: width, height: height),
                        timestamp: frame.timestamp, index: frame.index)
    }
}
