import CLIPSeg
import Foundation

/// The runs of `clipseg image` and `clipseg bench` as `PeakMemoryEstimate` sees them (`segment`'s are in
/// `SegmentMemoryCheck`).
extension MemoryBudget {
    /// `clipseg image`: one workspace on one thread for the vision tower and the decoder; besides the model,
    /// the picture (`width × height`, RGB24, and FFmpeg's decoded copy), the overlay's masks and copy when
    /// `overlay`, and the logits' `.npy` bytes.
    func requireForImage(size: Int?, width: Int, height: Int, texts: Int, images: Int, precision: PrecisionChoice,
                         overlay: Bool) throws {
        var run = run(textPrompts: texts, imagePrompts: images, precision: precision)
        run.sharedWorkspace = true
        run.frameWidth = width
        run.frameHeight = height
        let pixels = width * height, prompts = texts + images
        let side = size ?? defaultSide(for: run)
        let logitsSide = configuration.logitsSide(grid: side / configuration.vision.patchSize)
        run.otherBytes = 2 * 3 * pixels + (overlay ? pixels * (5 * prompts + 2) + 2 * 3 * pixels : 0)
            + 2 * 4 * prompts * logitsSide * logitsSide
        run.newThreads = 2 + ProcessInfo.processInfo.activeProcessorCount
        try require(size: size, run: run, frames: "a picture of \(width)×\(height)")
    }

    /// `clipseg bench`: a vision and a decoder workspace, `threads` threads each, `prompts` text prompts,
    /// one synthetic `width × height` frame.
    func requireForBench(size: Int?, prompts: Int, threads: Int, precision: PrecisionChoice, width: Int,
                         height: Int) throws {
        var run = run(textPrompts: prompts, imagePrompts: 0, precision: precision)
        run.visionThreads = threads
        run.decoderThreads = threads
        run.frameWidth = width
        run.frameHeight = height
        run.otherBytes = 2 * 3 * width * height
        run.newThreads = 2 * threads + ProcessInfo.processInfo.activeProcessorCount
        try require(size: size, run: run)
    }
}
