import CLIPSeg
import FileSafety
import Foundation
import MaskRender
import MediaIO
import Pipeline
import PreviewServer
import StreamKit
import VideoFrames
#if canImport(Glibc)
import Glibc
#endif

/// Opens everything a `clipseg segment` run needs, on the setup thread (all of it blocks): the model and
/// the prompt embeddings, the source (camera or file/stream), the outputs at the source's size, and the
/// `--control` input. Errors are one line naming what is at fault.
///
/// Each step is announced to `interruption`, which decides what a signal does meanwhile; outputs opened
/// before a failure or a signal are closed and removed again (nothing was written to them).
enum SegmentSetup {
    static func open(_ request: SegmentRequest, interruption: SegmentInterruption) throws -> SegmentSession {
        // A vision pass is split over `--threads` threads (see CLIPSegBackend); the mask decoder (small) runs
        // alongside on one thread, or on all of them between two frames when the source is live (below).
        var memory = SegmentMemoryCheck(request)
        try memory.beforeLoading(mayBeLive: mayBeLive(request))
        let model = try loadModel(request.modelDirectory, precision: request.precision)
        request.precision.announce(quiet: request.quiet)
        var backend: CLIPSegBackend
        do {
            backend = try CLIPSegBackend(model: model, inputSize: request.size, visionThreads: request.threads,
                                         maskDecoderThreads: 1)
        } catch let error as CLIPSegError {
            throw CommandFailure.usage(String(describing: error))  // a --size the model cannot take
        }
        interruption.enter(.preparingPrompts)
        let prompts = try embedPrompts(request, backend: backend)
        let background: Background?
        do {
            background = try request.background.map { value in
                try Background.parse(value, fileExists: { FileManager.default.fileExists(atPath: $0) },
                                     loadImage: { try StillImage.load(path: $0, maximumPixels: request.maxPixels) })
            }
        } catch let error as BackgroundError {
            switch error {  // neither a colour nor an image file
            case .invalidColor: throw CommandFailure.usage("--background: \(error)")
            case .neitherColorNorFile: throw CommandFailure.usage("--background \(error)")
            }
        }
        let controlDescriptor = try request.control.map(openControl)
        interruption.enter(.openingInput)
        // Live runs: the codecs' worker threads are created (by FFmpeg and x264, when the input and the video
        // output open) on a thread of lowered priority, so they inherit it (see `ThreadNiceness`).
        let liveNiceness = ThreadNiceness.liveMedia
        let opened = try ThreadNiceness.run(loweredBy: mayBeLive(request) ? liveNiceness : 0, name: "clipseg-codec") {
            try openSource(request)
        }
        let info = opened.source.info
        let live = opened.isCamera || info.isLive || request.realtime
        do { try memory.beforeFirstFrame(info, live: live) } catch { opened.source.close(); throw error }
        let mediaNiceness = live ? liveNiceness : 0
        // Live, a frame's latency is what counts: its mask decoder pass runs on every model thread before the
        // next frame is encoded (`TurnTaking`) instead of on one thread alongside that encoding.
        if live { backend.maskDecoderThreads = request.threads }
        backend.tokenReuse = request.tokenReuse.settings(live: live)
        do {
            let keepDroppedFrames = request.keepFrames ?? live
            let composition = CompositionSettings(
                mode: request.mode, background: background, maskOptions: request.maskOptions(live: live),
                maskLayout: request.maskLayout, keepDroppedFrames: keepDroppedFrames,
                followMotion: request.followMotion.enabled(live: live, keepDroppedFrames: keepDroppedFrames),
                outputWidth: info.width, outputHeight: info.height, effects: request.promptEffects,
                framedPrompt: request.framedPrompt)
            // Audio is copied from the packets the input's own demuxer reads (the input is opened once); a time
            // shard carries no sound.
            let audio = request.timeWindow == nil ? opened.audio : nil
            if !live, !request.quiet, let device = request.outputs.first(where: { $0.videoFile == nil })?.path {
                StandardError.write("warning: -o \(device): a file is read as fast as the model goes; add --realtime to "
                                    + "play it to the virtual camera at its own frame rate")
            }
            interruption.enter(.openingOutputs)
            try request.outputPaths.removeStaleFrames()
            let outputs = try ThreadNiceness.run(loweredBy: mediaNiceness, name: "clipseg-codec") {
                try openOutputs(request, info: info, live: live, audio: audio, events: opened.events, interruption: interruption)
            }
            return SegmentSession(
                request: request, backend: backend, prompts: prompts, composition: composition,
                flow: SegmentationPipeline<CLIPSegBackend>.Flow(live: live, realtime: request.realtime,
                                                                frameRate: info.frameRate,
                                                                mediaNiceness: mediaNiceness,
                                                                decodeMasksBeforeNextFrame: live,
                                                                stream: live && !opened.isCamera && !request.realtime),
                source: opened.source, interruptSource: opened.interrupt, isCamera: opened.isCamera,
                sinks: outputs.map(\.sink), removableOutputs: outputs.map(\.removable),
                controlDescriptor: controlDescriptor)
        } catch {
            opened.source.close()
            throw error
        }
    }

    /// True when the input may turn out live before it is open: `--realtime`, a camera, or a URL (network
    /// streams are live unless they have a duration, which is known only once they are open).
    private static func mayBeLive(_ request: SegmentRequest) -> Bool {
        request.realtime || CameraDevice.path(for: request.input) != nil || request.input.contains("://")
    }

    /// Loads the model, turning a missing folder or file into a message that says where to get one.
    static func loadModel(_ directory: URL, precision: PrecisionChoice = .fp32) throws -> CLIPSegModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure.runtime("no model folder at \(directory.path); \(ModelDirectoryDefault.downloadHint)")
        }
        do {
            return try CLIPSegModel(directory: directory, visionPrecision: precision.format)
        } catch let error as CLIPSegError {
            if case .missingFile = error { throw CommandFailure.runtime("\(error); \(ModelDirectoryDefault.downloadHint)") }
            throw error
        }
    }

    /// Text prompts and negatives embedded once, image prompts loaded and embedded once.
    private static func embedPrompts(_ request: SegmentRequest, backend: CLIPSegBackend) throws -> PromptBook {
        let scratch = backend.makeScratch(for: .vision)
        var images: [PromptBook.ImagePrompt] = []
        for path in request.imagePrompts {
            let picture = try StillImage.load(path: path, maximumPixels: request.maxPixels)
            images.append(PromptBook.ImagePrompt(name: path, embedding: try backend.embed(image: picture, scratch: scratch)))
        }
        do {
            let book = try PromptBook(texts: request.texts, images: images, negatives: request.negatives,
                                      embeddingSize: backend.embeddingSize) { try backend.embed(texts: $0, scratch: scratch) }
            // Tokenized once, while embedding: warn before the run starts.
            if !request.quiet, let limit = backend.prompts.tokenLimit {
                let negatives = Set(request.negatives)
                for text in book.truncatedAtStart {
                    let option = negatives.contains(text) && !request.texts.contains(text) ? "--negative" : "--prompt"
                    StandardError.write(PromptLengthWarning.message(source: option, prompt: text, limit: limit))
                }
            }
            return book
        } catch let error as ControlCommandError {
            throw CommandFailure.usage("--prompt: \(error.message)")
        } catch let error as CLIPSegError {
            if case .missingFile = error { throw CommandFailure.runtime("\(error); \(ModelDirectoryDefault.downloadHint)") }
            throw error
        }
    }

    private struct OpenedSource {
        var source: any FrameSource
        var interrupt: @Sendable () -> Void
        var isCamera: Bool
        var audio: AudioPacketFeed? = nil
        var events: ConnectionEventLines? = nil
    }

    private static func openSource(_ request: SegmentRequest) throws -> OpenedSource {
        if let device = CameraDevice.path(for: request.input) {
            guard request.timeWindow == nil else { throw CommandFailure.usage("--start and --duration apply to files and streams, not cameras") }
            var options = CameraOptions()
            if let size = request.cameraSize { options.size = size }
            if let rate = request.cameraFrameRate { options.frameRate = rate }
            let quiet = request.quiet
            let camera = try CameraSource(device: device, options: options) { warning in
                if !quiet { StandardError.write("warning: \(warning)") }
            }
            return OpenedSource(source: camera, interrupt: { camera.close() }, isCamera: true)
        }
        guard request.cameraSize == nil && request.cameraFrameRate == nil else {
            throw CommandFailure.usage("--camera-size and --fps apply to cameras (/dev/videoN, camera:N); \(request.input) is not one")
        }
        let input = try SegmentStreamInput.open(request)
        let source: any FrameSource = request.timeWindow.map { TimeWindowSource(source: input.source, window: $0) } ?? input.source
        return OpenedSource(source: source, interrupt: input.interrupt, isCamera: false, audio: input.audio,
                            events: input.events)
    }

    /// An opened output and what to remove when nothing gets written to it.
    struct OpenedOutput {
        var sink: any FrameSink
        var removable: RemovableOutput?
    }

    /// The outputs, in the order videos (and virtual cameras), masks, statistics, recordings, events. On a failure
    /// or a signal (checked after each
    /// one opens) those already open are closed and removed, and the error is thrown.
    private static func openOutputs(_ request: SegmentRequest, info: SourceInfo, live: Bool, audio: AudioPacketFeed?,
                                    events: ConnectionEventLines?, interruption: SegmentInterruption) throws -> [OpenedOutput] {
        var outputs: [OpenedOutput] = []
        /// Opens one output; when that fails, removes only what the attempt itself created.
        func add(_ path: String?, _ open: () throws -> any FrameSink) throws {
            let removable = path.flatMap(RemovableOutput.init(path:))  // nil for a device: never removed
            do {
                outputs.append(OpenedOutput(sink: try open(), removable: removable))
            } catch {
                _ = removable?.remove(opened: false)
                throw error
            }
            try interruption.checkpoint()
        }
        do {
            for output in request.outputs {
                switch output {
                case .video(let path):
                    try add(path) { try openVideo(path, request: request, info: info, live: live, audio: audio) }
                case .virtualCamera(let device):
                    let size = request.virtualCameraSize ?? CameraSize(width: info.width, height: info.height)
                    try add(nil) {
                        VirtualCameraFrameSink(writer: try VirtualCameraWriter(device: device, width: size.width, height: size.height,
                                                                               frameRate: info.frameRate ?? 30))
                    }
                }
            }
            if let path = request.masks { try add(path) { try openMasks(path, request: request, info: info) } }
            if let path = request.stats { try add(path) { StatisticsFrameSink(writer: try StatisticsWriter(path: path), events: events) } }
            if let prompt = request.recording.recordWhen, let folder = request.recording.recordDirectory {
                var options = VideoWriterOptions(frameRate: info.frameRate ?? 30)
                if live { options.x264Preset = VideoWriterOptions.liveX264Preset }
                // Clips are numbered after those already in the folder: nothing there is ever removed.
                outputs.append(OpenedOutput(sink: try RecordingFrameSink(
                    prompt: prompt, folder: URL(fileURLWithPath: folder), preRoll: request.recording.preRoll,
                    postRoll: request.recording.postRoll, rule: request.presenceRule, width: info.width,
                    height: info.height, options: options), removable: nil))
                try interruption.checkpoint()
            }
            if let path = request.events {
                try add(path) { EventsFrameSink(writer: try StatisticsWriter(path: path), rule: request.presenceRule) }
            }
            if let address = request.previewAddress {
                do {
                    outputs.append(OpenedOutput(sink: try PreviewFrameSink(address: address, maximumViewers: request.previewViewers,
                                                                           maskLayout: request.maskLayout),
                                                removable: nil))
                } catch let error as PreviewServer.ListenError {
                    throw CommandFailure.runtime("--preview: \(error)")
                }
            }
            interruption.pauseIfAskedWithOutputsOpen()
            try interruption.checkpoint()
            return outputs
        } catch {
            var removed: [String] = []
            for output in outputs {
                try? output.sink.finish()
                if let removable = output.removable, removable.remove(opened: true) { removed.append(removable.path) }
            }
            if var interrupted = error as? SegmentInterruption.Interrupted {
                interrupted.removedOutputs = removed
                throw interrupted
            }
            throw error
        }
    }

    /// The video output. Live sources (cameras, streams, `--realtime`) are encoded with the live preset: the
    /// encoder shares the cores with the model, and every CPU second it spends makes the masks later.
    private static func openVideo(_ output: String, request: SegmentRequest, info: SourceInfo, live: Bool,
                                  audio: AudioPacketFeed?) throws -> VideoFrameSink {
        var options = VideoWriterOptions(frameRate: info.frameRate ?? 30, audio: audio,
                                         fragmented: request.fragmented)
        if live { options.x264Preset = VideoWriterOptions.liveX264Preset }
        var writer: VideoWriter?
        if request.mode == .cutout {
            // Keep the mask as alpha when the format can carry it; otherwise the background is black.
            options.alpha = true
            writer = try? VideoWriter(path: output, width: info.width, height: info.height, options: options)
            if writer == nil {
                options.alpha = false
                if !request.quiet {
                    StandardError.write("warning: -o \(output) cannot carry transparency, so the cutout is on black; "
                                        + "write .mov (ProRes 4444), .webm (VP9) or PNG frames (a folder/ or %05d.png) to keep it")
                }
            }
        }
        let video = try writer ?? VideoWriter(path: output, width: info.width, height: info.height, options: options)
        return VideoFrameSink(writer: video, keepsAlpha: options.alpha)
    }

    private static func openMasks(_ path: String, request: SegmentRequest, info: SourceInfo) throws -> MaskFrameSink {
        let name = path == "-" ? "standard output" : path
        let writer: any MaskStreamWriter
        switch request.maskFormat {
        case .y4m:
            writer = try Y4MMaskWriter(path: path, width: info.width, height: info.height,
                                       frameRate: FrameRateFraction(approximating: info.frameRate ?? 30))
        case .gray:
            writer = try RawGrayMaskWriter(path: path, width: info.width, height: info.height)
        case .pngDirectory:
            guard case .frames(let folder, let pattern) = try OutputPaths.frames("--masks", path) else {
                throw CommandFailure.usage("--masks \(path): not a folder for PNG files")
            }
            writer = try PNGMaskDirectoryWriter(folder: folder, pattern: pattern, width: info.width, height: info.height)
        }
        return MaskFrameSink(writer: writer, name: name)
    }

    /// The descriptor of `--control`: 0 for `-`, else the file opened for reading. A named pipe is opened
    /// read-write, so the open does not wait for a writer and the reader does not see an end of input
    /// between two writers.
    private static func openControl(_ path: String) throws -> Int32 {
        if path == "-" { return STDIN_FILENO }
        var info = stat()
        let isPipe = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
        let descriptor = Glibc.open(path, (isPipe ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CommandFailure.runtime("--control \(path): cannot open (\(String(cString: strerror(errno))))")
        }
        return descriptor
    }
}
