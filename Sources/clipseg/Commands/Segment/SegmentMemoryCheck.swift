import CLIPSeg
import Foundation
import MediaIO
import Pipeline
import VideoFrames

/// `clipseg segment`'s two memory checks (`MemoryBudget`), against what the process may use when setup
/// starts: before the model loads (the model, its workspaces and the tensors of frames in flight), and once
/// the source is open and its frame size known, before the first frame is decoded (everything, frames,
/// masks and codec pictures included, `FrameMemoryEstimate`). Image prompts and a background picture count
/// as decoded once.
struct SegmentMemoryCheck {
    let request: SegmentRequest
    /// nil when the model folder's configuration cannot be read (model loading then says why).
    let budget: MemoryBudget?

    /// Image prompts and a background picture, decoded while the run sets up (bytes).
    private var pictureBytes = 0

    init(_ request: SegmentRequest) {
        self.request = request
        budget = MemoryBudget(modelDirectory: request.modelDirectory)
    }

    /// Before the model loads. `mayBeLive`: whether the decoder may get every model thread (live sources).
    /// A regular file's frame size is read from its stream parameters (the file is opened and closed again,
    /// nothing decoded), so that the size offered here is the one the second check accepts; other inputs'
    /// frames are counted by the second check only. A file whose frames are over `--max-pixels` is refused here.
    mutating func beforeLoading(mayBeLive: Bool) throws {
        guard let budget else { return }
        pictureBytes = try MemoryBudget.pictureBytes(request.imagePrompts + [request.background].compactMap { $0 },
                                                     maximumPixels: request.maxPixels)
        let size = try probedFrameSize()
        try require(budget, width: size?.width ?? 0, height: size?.height ?? 0, frameRate: nil, live: mayBeLive)
    }

    /// With the source open (`info`), before its first frame.
    func beforeFirstFrame(_ info: SourceInfo, live: Bool) throws {
        guard let budget else { return }
        try require(budget, width: info.width, height: info.height, frameRate: info.frameRate, live: live)
    }

    private func require(_ budget: MemoryBudget, width: Int, height: Int, frameRate: Double?, live: Bool) throws {
        let frames = frames(width: width, height: height, live: live, frameRate: frameRate)
        var run = budget.run(textPrompts: request.texts.count, imagePrompts: request.imagePrompts.count,
                             negatives: request.negatives.count, precision: request.precision)
        run.visionThreads = request.threads
        run.decoderThreads = live ? request.threads : 1
        run.tokenReuse = request.tokenReuse.settings(live: live) != nil
        run.frameWidth = width
        run.frameHeight = height
        run.inputsInFlight = frames.inputsInFlight
        run.featuresInFlight = frames.featuresInFlight
        run.logitsInFlight = frames.logitsInFlight
        run.otherBytes = frames.frameBytes + pictureBytes
        run.newThreads = frames.threads
        try budget.require(size: request.size, run: run, frames: width > 0 ? "frames of \(width)×\(height)" : nil)
    }

    /// The input's frame size when it is a regular file FFmpeg opens; nil otherwise (errors other than the
    /// pixel limit are left for the real opening to report).
    private func probedFrameSize() throws -> (width: Int, height: Int)? {
        // Only a regular file can be opened twice: a pipe or standard input would lose what the probe read.
        guard request.input != "-", CameraDevice.path(for: request.input) == nil, !request.input.contains("://"),
              let type = try? FileManager.default.attributesOfItem(atPath: request.input)[.type] as? FileAttributeType,
              type == .typeRegular else { return nil }
        do {
            let source = try VideoFileSource(path: request.input, maximumPixels: request.maxPixels)
            defer { source.close() }
            return (source.info.width, source.info.height)
        } catch {
            if case MediaError.tooManyPixels = error { throw error }
            return nil
        }
    }

    /// The chain's frames for this request's outputs and prompts (and the threads it starts, whatever the size).
    private func frames(width: Int, height: Int, live: Bool, frameRate: Double?) -> FrameMemoryEstimate {
        let positives = request.texts.count + request.imagePrompts.count
        return FrameMemoryEstimate(
            width: width, height: height, prompts: positives, live: live, frameRate: frameRate,
            outputs: FrameMemoryEstimate.Outputs(video: !request.outputs.isEmpty, masks: request.masks != nil,
                                                 statistics: request.stats != nil,
                                                 maskPlanes: request.maskLayout == .stack ? positives : 1),
            smoothing: request.maskOptions(live: live).keepsSmoothingState,
            blurOrReplace: request.mode == .blur || request.mode == .replace,
            cores: ProcessInfo.processInfo.activeProcessorCount, modelThreads: request.threads)
    }
}
