import ArgumentParser
import FileSafety
import Foundation
import MaskRender
import MediaIO
import Pipeline
import StreamKit
import UserText
import VideoFrames

/// `clipseg segment INPUT [options]`: segments a video file, a stream or a live camera by text and/or
/// image prompts, frame by frame, through the pipelined chain of `SegmentationPipeline`.
struct SegmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment a video file, stream or camera by text and/or image prompts, frame by frame.",
        discussion: """
        INPUT is a video file, - (standard input), a URL (rtsp://, http://, …) or a camera (/dev/video0 or \
        camera:0). Each frame goes through the model once: the image encoder runs once per frame, then every \
        prompt is decoded in one batch. Ask for any combination of outputs: videos (-o, repeatable), a mask \
        stream (--masks) and per-frame statistics (--stats, one JSON line per frame). Use - for standard \
        output (one output at a time). -o v4l2:/dev/video10 writes to a virtual camera (v4l2loopback) that \
        video calls see as a webcam; if it goes away mid-run the other outputs are finished (status 1).

        Files are processed frame by frame with nothing dropped. Live sources (cameras, network streams, and \
        files with --realtime) keep only the newest frame waiting for the model, and when that one has waited \
        over half a frame period the model waits for the next; frames captured while it is busy are dropped \
        before the model and counted. With --keep-frames (the default for live sources) every \
        captured frame is still written, with the most recent mask; --processed-only writes only the frames \
        the model saw. Live H.264 output uses x264's ultrafast preset (files, veryfast), and the decoding and \
        encoding threads yield to the model's, so the model keeps the cores.

        With --control - (or a FILE such as a named pipe), commands read one per line change the run from the \
        next frame on: prompt add TEXT | prompt remove TEXT | prompt set TEXT;TEXT… | threshold 0.5 | smooth 0.3 | \
        effect KIND TEXT (keep, blur, pixelate, remove, redact, fill:COLOR, none) | quit.

        Ctrl-C stops reading, finishes the frames in flight, closes every output properly and prints the \
        summary (exit status 130; 143 for SIGTERM); a second Ctrl-C exits at once. Before the run starts \
        (model loading, opening the input and outputs) it ends at once with the same status and one line \
        saying so; outputs opened by then are removed (nothing was written to them). When a run fails or \
        is interrupted later, an output no frame was written to (e.g. the input decoded none) is removed too.

        Examples:
          Blur the background of a webcam, keeping the person sharp:
            clipseg segment camera:0 --prompt "a person" --mode blur -o cam.mkv
          The same as a virtual camera for video calls, with a recording beside it:
            clipseg segment camera:0 --prompt "a person" --mode blur \
              -o v4l2:/dev/video10 -o call.mkv
          Pipe the masks to ffmpeg (y4m needs no size flags):
            clipseg segment in.mp4 --prompt dog --masks - --quiet |
              ffmpeg -i - -c:v ffv1 masks.mkv
          Several prompts, one colour each, with per-frame statistics:
            clipseg segment street.mp4 --prompt car --prompt "a person" \\
              --prompt bicycle -o overlay.mp4 --stats stats.ndjson
          A label map (pixel = number of the most likely prompt):
            clipseg segment street.mp4 --prompt car --prompt tree \\
              --masks labels.y4m --mask-layout labels
          A picture as the prompt, minus what looks like a hand:
            clipseg segment shop.mp4 --image-prompt mug.png --negative hand \\
              -o mugs.mp4
          Replace the background with a picture (or a colour: green, #00ff00):
            clipseg segment talk.mp4 --prompt "a person" --mode replace \\
              --background beach.jpg -o beach.mp4
          Keep the person and the guitar, blur the rest, black out the papers
          (redaction fails closed: frames without recent masks are painted whole):
            clipseg segment talk.mp4 --keep "a person" --keep "a guitar" \\
              --mode blur --redact "the papers" -o private.mp4
          Follow the speaker, and keep a clip each time a dog shows up:
            clipseg segment camera:0 --frame "a person" -o v4l2:/dev/video10 \\
              --record-when "a dog" --record-dir dogs/ --events events.ndjson
          Try a live run on a file, changing the prompt while it runs:
            clipseg segment in.mp4 --prompt cat --realtime --masks m.y4m \\
              --control -        # then type: prompt set dog
        """
    )

    @Argument(help: ArgumentHelp("A video file, - for standard input, a URL, or a camera (/dev/video0, camera:0).",
                                 valueName: "INPUT"))
    var input: String

    // MARK: Prompts and model

    @Option(name: .customLong("prompt"), help: ArgumentHelp("A text prompt; repeat for several.", valueName: "TEXT"))
    var prompts: [String] = []

    @Option(name: .customLong("image-prompt"),
            help: ArgumentHelp("A picture used as a visual prompt; repeat for several.", valueName: "FILE"))
    var imagePrompts: [String] = []

    @Option(name: .customLong("negative"),
            help: ArgumentHelp("A text prompt subtracted from the others' masks; repeatable.", valueName: "TEXT"))
    var negatives: [String] = []

    @Option(help: ModelDirectoryDefault.help)
    var model: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Model input size in pixels (a multiple of the patch size; default: the model's, 352).",
                               discussion: "Larger sees finer detail and is slower; position embeddings are interpolated.",
                               valueName: "N"))
    var size: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for one pass of the image encoder (default: all cores).",
                               discussion: "Each layer's work is split over them (OpenBLAS itself runs single-"
                               + "threaded); the decoder and the other stages run alongside on threads of their own.",
                               valueName: "N"))
    var threads: Int?

    @Option(help: PrecisionChoice.help)
    var precision: PrecisionChoice = PrecisionChoice.environmentDefault

    @Option(name: .customLong("max-pixels"), help: MaxPixelsOption.help)
    var maxPixels: MaxPixelsOption = .standard

    // MARK: Outputs

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write the segmented video (.mp4, .mkv, .webm, .mov, a folder for PNGs, or -), or to a "
                               + "virtual camera (v4l2:/dev/video10, or a path that is a V4L2 output device); repeatable.",
                               valueName: "FILE"))
    var outputs: [String] = []

    @Option(name: .customLong("out-size"),
            help: ArgumentHelp("Size of the frames written to a virtual camera (default: the source's).", valueName: "WxH"))
    var outSize: CameraSize?

    @Option(help: ArgumentHelp("What the video shows: overlay (masks tinted per prompt), matte (white on black), "
                               + "cutout (object only, alpha in .mov/.webm/.mkv/PNG), blur or replace the background.",
                               valueName: "mode"))
    var mode: OutputMode = .overlay

    @Option(help: ArgumentHelp("Background for --mode replace: an image file or a colour (#rrggbb, #rgb, green).",
                               valueName: "IMAGE|COLOR"))
    var background: String?

    @Option(help: ArgumentHelp("Write the masks, one per frame at the frame's size.", valueName: "FILE"))
    var masks: String?

    @Option(name: .customLong("mask-format"),
            help: ArgumentHelp("y4m (gray YUV4MPEG2, default), gray (raw bytes) or png-dir (a folder of PNGs).",
                               valueName: "format"))
    var maskFormat: MaskFormat?

    @Option(name: .customLong("mask-layout"),
            help: ArgumentHelp("union (one mask of all prompts, default), labels (pixel = 1-based prompt number, 0 = none) "
                               + "or stack (one mask per prompt per frame).", valueName: "layout"))
    var maskLayout: MaskLayout?

    @Option(help: ArgumentHelp("Write per-frame statistics as NDJSON (coverage, bounding box, mean per prompt).",
                               valueName: "FILE"))
    var stats: String?

    @Flag(help: "Write the video as fragmented MP4 / clustered Matroska, playable even if the run is killed.")
    var fragmented = false

    @OptionGroup(title: "Existing outputs")
    var overwriteOptions: OverwriteOptions

    // MARK: Masks

    @Option(parsing: .unconditional, help: ArgumentHelp("Mask threshold on the sigmoid probability (0…1).", valueName: "P"))
    var threshold: Float = MaskOptions().threshold

    @Flag(help: "Soft masks: probabilities 0…255 instead of 0 or 255.")
    var soft = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Smooth masks over time: weight of the newest frame (0 < ALPHA ≤ 1; 0.3 is strong), "
                               + "auto (steady where the picture is still, following where it moves; default for live sources) or off.",
                               valueName: "ALPHA|auto|off"))
    var smooth: SmoothingChoice?

    @Option(parsing: .unconditional, help: ArgumentHelp("Feather mask edges by this many pixels.", valueName: "PX"))
    var feather: Int = 0

    // MARK: Live behaviour

    @Flag(help: "Read a file at its own frame rate, as if it were a camera (frames the model cannot keep up with are dropped).")
    var realtime = false

    @OptionGroup(title: "Token reuse")
    var tokenReuse: TokenReuseOptions

    @Flag(name: .customLong("keep-frames"),
          help: "Write every captured frame, dropped ones with the most recent mask (default for live sources).")
    var keepFrames = false

    @Flag(name: .customLong("processed-only"), help: "Write only the frames the model processed.")
    var processedOnly = false

    @OptionGroup var followMotion: FollowMotionOptions

    @OptionGroup(title: "Effects per prompt")
    var regionEffects: RegionEffectOptions

    @OptionGroup(title: "Auto-framing")
    var framing: FramingOptions

    @OptionGroup(title: "Events")
    var eventOptions: EventOptions

    @OptionGroup(title: "Recording when something appears")
    var recording: RecordingOptions

    @OptionGroup(title: "Time shard") var timeWindow: TimeWindowOptions

    @OptionGroup(title: "Network streams")
    var network: NetworkInputOptions

    @Option(name: .customLong("camera-size"),
            help: ArgumentHelp("Camera frame size to ask for; the nearest offered size is used.", valueName: "WxH"))
    var cameraSize: CameraSize?

    @Option(parsing: .unconditional, help: ArgumentHelp("Camera frames per second to ask for; the nearest offered rate is used.", valueName: "rate"))
    var fps: Double?

    @Option(help: ArgumentHelp("Read control commands from - (standard input) or a file / named pipe.",
                               valueName: "-|FILE"))
    var control: String?

    @OptionGroup(title: "Live preview")
    var previewOptions: PreviewOptions

    @Flag(help: "Print nothing but errors (no progress, no summary).")
    var quiet = false

    func validate() throws {
        let effectPrompts = try regionEffects.assignments()
        guard !prompts.isEmpty || !imagePrompts.isEmpty || !effectPrompts.isEmpty || recording.recordWhen != nil
                || framing.framedPrompt != nil else {
            throw ValidationError("give at least one --prompt TEXT or --image-prompt FILE (or an effect such as --blur TEXT)")
        }
        for (option, texts) in [("--prompt", prompts), ("--negative", negatives)]
        where texts.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw ValidationError("\(option): a prompt cannot be empty")
        }
        let promptKeys = Set(prompts.map(PromptSet.key))
        if let both = negatives.first(where: { promptKeys.contains(PromptSet.key($0)) }) {
            throw ValidationError("--negative '\(both.escapingControlCharacters)' is also a --prompt; "
                                  + "it would remove everything that prompt finds")
        }
        guard !outputs.isEmpty || masks != nil || stats != nil || eventOptions.events != nil || recording.recordWhen != nil
              || previewOptions.preview != nil else {
            throw ValidationError("nothing to write: give -o FILE (video), --masks FILE, --stats FILE or --events FILE "
                                  + "(- for standard output), or --preview PORT")
        }
        let toStandardOutput = (outputs + [masks, stats, eventOptions.events].compactMap { $0 }).filter { $0 == "-" }
        guard toStandardOutput.count <= 1 else {
            throw ValidationError("only one of -o, --masks, --stats and --events can write to standard output (-)")
        }
        if control == "-" && input == "-" {
            throw ValidationError("--control - and INPUT - cannot both read standard input")
        }
        if let error = MaskOptions(threshold: threshold, soft: soft, smoothing: smooth?.weight, featherRadius: feather)
            .validationError() {
            let option = switch error.setting {
            case .threshold: "--threshold"
            case .smoothing: "--smooth"
            case .featherRadius: "--feather"
            }
            throw ValidationError("\(option) \(error.requirement)")
        }
        if framing.framedPrompt != nil && mode == .cutout {
            throw ValidationError("--frame crops the picture; --mode cutout's transparency would not follow it")
        }
        if keepFrames && processedOnly { throw ValidationError("--keep-frames and --processed-only exclude each other") }
        if processedOnly && followMotion.followMotion == true {
            throw ValidationError("--follow-motion moves the masks of kept frames; --processed-only keeps none")
        }
        if background != nil && mode != .replace && regionEffects.remove.isEmpty {
            throw ValidationError("--background is used with --mode replace or --remove")
        }
        if background == nil && mode == .replace && (!outputs.isEmpty || previewOptions.preview != nil) {
            throw ValidationError("--mode replace needs --background IMAGE|COLOR (a picture, or a colour such as green)")
        }
        if outputs.isEmpty && (fragmented || (mode != .overlay && previewOptions.preview == nil)) {
            throw ValidationError("--mode and --fragmented apply to the video output; add -o FILE")
        }
        if masks == nil && (maskFormat != nil || maskLayout != nil) {
            throw ValidationError("--mask-format and --mask-layout apply to the mask stream; add --masks FILE")
        }
        if masks == "-" && maskFormat == .pngDirectory {
            throw ValidationError("--mask-format png-dir writes a folder, not standard output")
        }
        if let size, !(1...4096).contains(size) { throw ValidationError("--size must be between 1 and 4096, got \(size)") }
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be between 1 and 256, got \(threads)")
        }
        if let fps, !(fps > 0 && fps.isFinite) { throw ValidationError("--fps must be a positive number") }
        if maskLayout == .labels && prompts.count + imagePrompts.count > 255 {
            throw ValidationError("--mask-layout labels numbers prompts 1 to 255 in an 8-bit mask; "
                                  + "\(prompts.count + imagePrompts.count) prompts need --mask-layout stack")
        }
    }

    /// Every file this run reads and writes, checked before anything is loaded (see `OutputPaths`).
    func outputPaths(maskFormat: MaskFormat, videoOutputs: [VideoOutputTarget]) throws -> OutputPaths {
        var paths = OutputPaths()
        paths.input("INPUT", CameraDevice.path(for: input) ?? input)
        for path in imagePrompts { paths.input("--image-prompt", path) }
        if let background { paths.input("--background", background) }
        if let control {
            try Self.checkControl(control)
            paths.input("--control", control)
        }
        paths.modelFolder("--model", try ModelDirectoryDefault.resolve(model))
        for output in videoOutputs { paths.output("-o", try output.place(role: "-o")) }
        if let masks {
            paths.output("--masks", maskFormat == .pngDirectory ? try OutputPaths.frames("--masks", masks)
                                                                 : OutputPaths.file(masks))
        }
        if let stats { paths.output("--stats", OutputPaths.file(stats)) }
        if let events = eventOptions.events { paths.output("--events", OutputPaths.file(events)) }
        return paths
    }

    /// `--control` must be something that can be read line by line: standard input, a file or a named pipe.
    private static func checkControl(_ path: String) throws {
        guard path != "-" else { return }
        guard let identity = FileIdentity(path: path) else {
            throw CommandFailure.runtime("--control \(path): no such file or named pipe")
        }
        if identity.kind == .directory {
            throw CommandFailure.usage("--control \(path) is a folder; give a file, a named pipe or - for standard input")
        }
    }

    func run() async throws {
        // Signals are handled from here on, so one during setup ends the run cleanly (see SegmentInterruption).
        let interruption = SegmentInterruption(quiet: quiet)
        let signals = InterruptHandler { signal, _ in interruption.receive(signal) }
        defer { withExtendedLifetime(signals) {} }
        try PrecisionChoice.checkEnvironment()
        try precision.checkOffered()
        let request = try SegmentRequest(command: self)
        try request.outputPaths.verify(policy: overwriteOptions.policy)
        let session: SegmentSession
        do {
            session = try await MaxPixelsOption.explaining {
                try await DedicatedThread.run(name: "clipseg-setup") { try SegmentSetup.open(request, interruption: interruption) }
            }
        } catch let interrupted as SegmentInterruption.Interrupted {
            if !quiet { StandardError.write(interrupted.message) }
            throw ExitCode(interrupted.exitCode)
        } catch MediaError.outputClosed(let name) {
            // The reader went away before the first frame (a y4m header meets `| head` that has exited): a clean end.
            if !quiet { StandardError.write("\(name) was closed by its reader before the first frame") }
            throw ExitCode.success
        }
        let exitCode = try await session.run(interruption: interruption)
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
