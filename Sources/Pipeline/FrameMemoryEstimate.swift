/// An upper bound of the memory the segmentation chain holds for frames of `width × height` pixels
/// outside the model, in bytes, and how many of the model's per-frame tensors it keeps in flight; worked out
/// from the chain's queue depths (`QueueDepths`) before any frame is read.
///
/// Counted, per frame in flight: RGB24 frames (3 bytes a pixel) in the capture queue, the keep-frames
/// queue and each stage; the compose stage's mask planes (`MaskShaper`: float32 probabilities and byte masks
/// for each positive prompt, smoothing state, the union) and rendered picture, backdrop and blur sums;
/// composed frames waiting in each output's queue (picture and alpha for the video, mask planes for the
/// mask stream); the codecs' own pictures (FFmpeg's frame-threaded decoder: up to 16 threads and 16
/// reference frames; x264: look-ahead, references and threads), counted at 3 bytes a pixel for the
/// decoder and 72 bytes a pixel in all for the encoder, which covers 4:4:4 and high bit depths.
public struct FrameMemoryEstimate: Sendable, Equatable {
    /// The outputs a run writes.
    public struct Outputs: Sendable, Equatable {
        public var video: Bool
        public var masks: Bool
        public var statistics: Bool
        /// Mask planes per frame in the mask stream: 1 (union, labels) or one per prompt (stack).
        public var maskPlanes: Int

        public init(video: Bool, masks: Bool, statistics: Bool, maskPlanes: Int) {
            self.video = video
            self.masks = masks
            self.statistics = statistics
            self.maskPlanes = max(1, maskPlanes)
        }

        var count: Int { (video ? 1 : 0) + (masks ? 1 : 0) + (statistics ? 1 : 0) }
    }

    /// Bytes of frames, masks and codec pictures.
    public let frameBytes: Int
    /// Model inputs (preprocessed frames) alive at once: the recycling pool, the vision queue, the two stages.
    public let inputsInFlight: Int
    /// Vision features alive at once: being made, queued for the decoder, being decoded.
    public let featuresInFlight: Int
    /// Logits alive at once: from the decoder until the compose stage takes them, at most the frames
    /// between them (the keep-frames queue and the stages).
    public let logitsInFlight: Int
    /// Threads the chain starts: its stages and outputs, the codecs' (FFmpeg frame threads, x264's), and
    /// the math threads of the two model stages.
    public let threads: Int

    /// - Parameters:
    ///   - prompts: positive prompts (one mask plane each).
    ///   - live: latest-wins in front of the model (cameras, streams, `--realtime`).
    ///   - frameRate: the source's nominal rate (sizes the keep-frames queue of live runs).
    ///   - smoothing, blurOrReplace: `--smooth` keeps a plane of state per prompt; `blur`/`replace` a backdrop.
    ///   - cores: processors of the machine (codec threads).
    ///   - modelThreads: threads of one vision pass.
    public init(width: Int, height: Int, prompts: Int, live: Bool, frameRate: Double?, outputs: Outputs,
                smoothing: Bool, blurOrReplace: Bool, cores: Int, modelThreads: Int) {
        typealias Depths = QueueDepths
        let pixels = max(0, width) * max(0, height), frame = 3 * pixels, planes = max(1, prompts)
        let keep = Depths.keep(live: live, frameRate: frameRate, frameBytes: frame)
        // Pump (converting), capture queue, keep queue, preprocess or vision stage (live: the newest waiting
        // frame and the one being prepared), compose stage.
        let frames = 1 + Depths.capture + keep + 2 + 1
        let shaping = pixels * planes * ((4 + 1) + (smoothing ? 4 : 0)) + 2 * pixels
        let composing = 2 * frame + (blurOrReplace ? frame + 8 * pixels : 0) + pixels
        let queuedPerFrame = (outputs.video ? frame + pixels : 0) + (outputs.masks ? pixels * outputs.maskPlanes : 0)
        let queued = (Depths.sink + 1) * queuedPerFrame
        let decoderThreads = min(cores + 1, 16)
        let decoding = (decoderThreads + 16 + 2) * 3 * pixels
        let encoding = outputs.video ? 72 * pixels : 0
        frameBytes = frames * frame + shaping + composing + queued + decoding + encoding
        inputsInFlight = Depths.inputPool + (live ? 1 : Depths.visionFromFile) + 2
        featuresInFlight = 1 + Depths.decoder + 1
        logitsInFlight = keep + 4
        threads = 5 + outputs.count + decoderThreads + (outputs.video ? 2 * cores + 4 : 0) + 2 * max(1, modelThreads)
    }
}
