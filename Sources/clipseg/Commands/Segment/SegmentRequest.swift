import Foundation
import MaskRender
import MediaIO
import Pipeline
import PreviewServer
import VideoFrames

/// The validated settings of one `clipseg segment` run, as plain values for the setup thread.
struct SegmentRequest: Sendable {
    var input: String
    var texts: [String]
    var imagePrompts: [String]
    var negatives: [String]
    var modelDirectory: URL
    var size: Int?
    var threads: Int
    var precision: PrecisionChoice
    var maxPixels: Int
    /// `-o`, in the order given.
    var outputs: [VideoOutputTarget]
    /// `--out-size`: the size virtual cameras are written at (nil: the source's).
    var virtualCameraSize: CameraSize?
    var mode: OutputMode
    var background: String?
    var masks: String?
    var maskFormat: MaskFormat
    var maskLayout: MaskLayout
    var stats: String?
    var events: String?
    var presenceRule: PresenceRule
    var recording: RecordingOptions
    var framedPrompt: String?
    var fragmented: Bool
    /// The mask settings given; a run uses `maskOptions(live:)` (smoothing's default depends on the source).
    var maskOptions: MaskOptions
    /// `--smooth` (nil: the default, `SmoothingChoice.resolve`).
    var smoothing: SmoothingChoice?
    var realtime: Bool
    /// nil: the default (keep frames for live sources).
    var keepFrames: Bool?
    var cameraSize: CameraSize?
    var cameraFrameRate: Double?
    var control: String?
    var tokenReuse: TokenReuseOptions
    var followMotion: FollowMotionOptions
    var timeWindow: TimeWindow?
    var network: NetworkInputOptions
    var promptEffects: PromptEffects
    var quiet: Bool
    /// `--preview`: where the page listens, nil without it; how many may watch the video at once.
    var previewAddress: PreviewAddress?
    var previewViewers: Int
    /// Every path read and written; its old picture frames are removed just before the outputs open.
    var outputPaths: OutputPaths

    init(command c: SegmentCommand) throws {
        input = c.input
        // Prompts with an effect are prompts too (once, where --prompt did not give them already).
        let effects = try c.regionEffects.assignments()
        var known = Set(c.prompts.map(PromptSet.key))
        texts = c.prompts + (effects.map(\.prompt) + [c.recording.recordWhen, c.framing.framedPrompt].compactMap { $0 })
            .filter { known.insert(PromptSet.key($0)).inserted }
        recording = c.recording
        framedPrompt = c.framing.framedPrompt
        promptEffects = try c.regionEffects.promptEffects()
        // What only --frame or --record-when names is followed, not drawn: shown as it is.
        let plain = Set(c.prompts.map(PromptSet.key))
        for prompt in [c.recording.recordWhen, c.framing.framedPrompt].compactMap({ $0 })
        where !plain.contains(PromptSet.key(prompt)) && promptEffects.effect(for: prompt) == nil {
            promptEffects.set(.keep, for: prompt)
        }
        imagePrompts = c.imagePrompts
        negatives = c.negatives
        modelDirectory = try ModelDirectoryDefault.resolve(c.model)
        size = c.size
        threads = c.threads ?? ProcessInfo.processInfo.activeProcessorCount
        precision = c.precision
        maxPixels = c.maxPixels.pixels
        outputs = try c.outputs.map { try VideoOutputTarget(role: "-o", argument: $0) }
        virtualCameraSize = try VideoOutputTarget.checkSize(c.outSize, outputs: outputs)
        mode = c.mode
        background = c.background
        masks = c.masks
        maskFormat = try c.maskFormat ?? c.masks.map(MaskFormat.inferred) ?? .y4m
        maskLayout = c.maskLayout ?? .union
        stats = c.stats
        events = c.eventOptions.events
        presenceRule = c.eventOptions.rule
        fragmented = c.fragmented
        maskOptions = MaskOptions(threshold: c.threshold, soft: c.soft, smoothing: c.smooth?.weight, featherRadius: c.feather)
        smoothing = c.smooth
        realtime = c.realtime
        keepFrames = c.keepFrames ? true : (c.processedOnly ? false : nil)
        cameraSize = c.cameraSize
        cameraFrameRate = c.fps
        control = c.control
        tokenReuse = c.tokenReuse
        followMotion = c.followMotion
        timeWindow = c.timeWindow.window
        network = c.network
        CredentialRedaction.registerCredentials(in: c.input)
        quiet = c.quiet
        previewAddress = c.previewOptions.address
        previewViewers = c.previewOptions.maximumViewers
        outputPaths = try c.outputPaths(maskFormat: maskFormat, videoOutputs: outputs)
        outputPaths.readsStandardInput = c.input == "-" || c.control == "-"
    }
}
