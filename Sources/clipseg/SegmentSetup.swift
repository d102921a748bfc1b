import CLIPSeg
import Foundation
import MediaIO
import Pipeline
import TensorKit
#if canImport(Glibc)
import Glibc
#endif

/// Opens everything a `clipseg segment` run needs, on the setup thread (all of it blocks): the model and
/// the prompt embeddings, the source (camera or file/stream), the outputs at the source's size, and the
/// `--control` input. Errors are one line naming what is at fault.
enum SegmentSetup {
    static func open(_ request: SegmentRequest) throws -> SegmentSession {
        // OpenBLAS runs single-threaded (its pool is process-wide and its threads spin); a vision pass is
        // split over `--threads` threads instead, and the decoder (small) runs alongside on one.
        MatrixMultiply.threadCount = 1
        let model = try loadModel(request.modelDirectory, precision: request.precision)
        let backend = try CLIPSegBackend(model: model, inputSize: request.size, visionThreads: request.threads,
                                         decoderThreads: 1)
        let prompts = try embedPrompts(request, backend: backend)
        let background = try request.background.map { value in
            try Background.parse(value, fileExists: { FileManager.default.fileExists(atPath: $0) },
                                 loadImage: { try StillImage.load(path: $0) })
        }
        let controlDescriptor = try request.control.map(openControl)
        let opened = try openSource(request)
        let info = opened.source.info
        let live = opened.isCamera || info.isLive || request.realtime
        do {
            let composition = CompositionSettings(
                mode: request.mode, background: background, maskOptions: request.maskOptions,
                maskLayout: request.maskLayout, keepDroppedFrames: request.keepFrames ?? live,
                outputWidth: info.width, outputHeight: info.height)
            // Audio is copied from the input file or stream (standard input cannot be read twice).
            let audioSource = opened.isCamera || request.input == "-" ? nil : request.input
            let sinks = try openOutputs(request, info: info, audioSource: audioSource)
            return SegmentSession(
                request: request, backend: backend, prompts: prompts, composition: composition,
                flow: SegmentationPipeline<CLIPSegBackend>.Flow(live: live, realtime: request.realtime,
                                                                frameRate: info.frameRate),
                source: opened.source, interruptSource: opened.interrupt, isCamera: opened.isCamera,
                sinks: sinks, controlDescriptor: controlDescriptor)
        } catch {
            opened.source.close()
            throw error
        }
    }

    /// Loads the model, turning a missing folder or file into a message that says where to get one.
    static func loadModel(_ directory: URL, precision: PrecisionChoice = .fp32) throws -> CLIPSegModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SegmentFailure("no model folder at \(directory.path); \(ModelDirectoryDefault.downloadHint)")
        }
        do {
            return try CLIPSegModel(directory: directory, visionPrecision: precision.format)
        } catch let error as CLIPSegError {
            if case .missingFile = error { throw SegmentFailure("\(error); \(ModelDirectoryDefault.downloadHint)") }
            throw error
        }
    }

    /// Text prompts and negatives embedded once, image prompts loaded and embedded once.
    private static func embedPrompts(_ request: SegmentRequest, backend: CLIPSegBackend) throws -> PromptBook {
        let scratch = backend.makeScratch(for: .vision)
        var images: [PromptBook.ImagePrompt] = []
        for path in request.imagePrompts {
            let picture = try StillImage.load(path: path)
            images.append(PromptBook.ImagePrompt(name: path, embedding: try backend.embed(image: picture, scratch: scratch)))
        }
        do {
            return try PromptBook(texts: request.texts, images: images, negatives: request.negatives,
                                  embeddingSize: backend.embeddingSize) { try backend.embed(texts: $0, scratch: scratch) }
        } catch let error as ControlCommandError {
            throw SegmentFailure("--prompt: \(error.message)")
        } catch let error as CLIPSegError {
            if case .missingFile = error { throw SegmentFailure("\(error); \(ModelDirectoryDefault.downloadHint)") }
            throw error
        }
    }

    private struct OpenedSource {
        var source: any FrameSource
        var interrupt: @Sendable () -> Void
        var isCamera: Bool
    }

    private static func openSource(_ request: SegmentRequest) throws -> OpenedSource {
        if let device = CameraDevice.path(for: request.input) {
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
            throw SegmentFailure("--camera-size and --fps apply to cameras (/dev/videoN, camera:N); \(request.input) is not one")
        }
        let file = try VideoFileSource(path: request.input)
        return OpenedSource(source: file, interrupt: { file.interrupt() }, isCamera: false)
    }

    /// The sinks, in the order video, masks, statistics.
    private static func openOutputs(_ request: SegmentRequest, info: SourceInfo, audioSource: String?) throws -> [any FrameSink] {
        var sinks: [any FrameSink] = []
        if let output = request.output {
            var options = VideoWriterOptions(frameRate: info.frameRate ?? 30, audioSource: audioSource,
                                             fragmented: request.fragmented)
            var writer: VideoWriter?
            if request.mode == .cutout {
                // Keep the mask as alpha when the format can carry it; otherwise the background is black.
                options.alpha = true
                writer = try? VideoWriter(path: output, width: info.width, height: info.height, options: options)
                if writer == nil { options.alpha = false }
            }
            let video = try writer ?? VideoWriter(path: output, width: info.width, height: info.height, options: options)
            sinks.append(VideoFrameSink(writer: video, keepsAlpha: options.alpha))
        }
        if let path = request.masks {
            let name = path == "-" ? "standard output" : path
            let writer: any MaskStreamWriter
            switch request.maskFormat {
            case .y4m:
                writer = try Y4MMaskWriter(path: path, width: info.width, height: info.height,
                                           frameRate: FrameRateFraction(approximating: info.frameRate ?? 30))
            case .gray:
                writer = try RawGrayMaskWriter(path: path, width: info.width, height: info.height)
            case .pngDirectory:
                writer = try PNGMaskDirectoryWriter(folder: path, width: info.width, height: info.height)
            }
            sinks.append(MaskFrameSink(writer: writer, name: name))
        }
        if let path = request.stats {
            sinks.append(StatisticsFrameSink(writer: try StatsWriter(path: path)))
        }
        return sinks
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
            throw SegmentFailure("--control \(path): cannot open (\(String(cString: strerror(errno))))")
        }
        return descriptor
    }
}
