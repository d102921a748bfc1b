import CLIPSeg
import Foundation
import MediaIO

/// The runs of `clipseg image` and `clipseg bench` as `PeakMemoryEstimate` sees them (`segment`'s are in
/// `SegmentMemoryCheck`), and the pictures a run decodes besides its frames.
extension MemoryBudget {
    /// `clipseg image`: one workspace on `threads` threads for the vision tower and the decoder; besides the model,
    /// the picture (`width × height`, RGB24, and FFmpeg's decoded copy), the overlay's masks and copy when
    /// `overlay`, the logits' `.npy` bytes and `pictureBytes` (image prompts).
    func imageRun(size: Int?, width: Int, height: Int, texts: Int, images: Int, precision: PrecisionChoice,
                  overlay: Bool, pictureBytes: Int, threads: Int) -> PeakMemoryEstimate.Run {
        var run = run(textPrompts: texts, imagePrompts: images, precision: precision)
        run.sharedWorkspace = true
        run.visionThreads = threads
        run.decoderThreads = threads
        run.frameWidth = width
        run.frameHeight = height
        let pixels = width * height, prompts = texts + images
        let side = size ?? defaultSide(for: run)
        let logitsSide = configuration.logitsSide(grid: side / configuration.vision.patchSize)
        run.otherBytes = 2 * 3 * pixels + (overlay ? pixels * (5 * prompts + 2) + 2 * 3 * pixels : 0)
            + 2 * 4 * prompts * logitsSide * logitsSide + pictureBytes
        run.newThreads = 2 + ProcessInfo.processInfo.activeProcessorCount
        return run
    }

    /// `clipseg bench`: a vision and a decoder workspace, `threads` threads each, `prompts` text prompts,
    /// one synthetic `width × height` frame.
    func benchRun(prompts: Int, threads: Int, precision: PrecisionChoice, width: Int, height: Int) -> PeakMemoryEstimate.Run {
        var run = run(textPrompts: prompts, imagePrompts: 0, precision: precision)
        run.visionThreads = threads
        run.decoderThreads = threads
        run.frameWidth = width
        run.frameHeight = height
        run.otherBytes = 2 * 3 * width * height
        run.newThreads = 2 * threads + ProcessInfo.processInfo.activeProcessorCount
        return run
    }

    /// Bytes the largest of `paths` (image prompts, a background picture) takes decoded: its RGB24 frame and
    /// FFmpeg's picture (counted as much again). Read from the stream parameters of regular files only (a pipe
    /// cannot be opened twice); a picture over `maximumPixels` is refused here, before anything is loaded.
    static func pictureBytes(_ paths: [String], maximumPixels: Int) throws -> Int {
        var largest = 0
        for path in paths where (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType)
            == .typeRegular {
            do {
                let picture = try OpenedStillImage(path: path, maximumPixels: maximumPixels)
                picture.close()
                largest = max(largest, 2 * 3 * picture.width * picture.height)
            } catch {
                if case MediaError.tooManyPixels = error { throw error }  // other errors: when it is loaded
            }
        }
        return largest
    }
}
