import ArgumentParser
import CLIPSeg
import FileSafety
import Foundation
import MaskRender
import MediaIO
import StreamKit
import TensorKit

/// `clipseg image IMAGE --prompt TEXT … [--image-prompt FILE …] [--logits OUT.npy] [-o OUT.png]`:
/// segments one picture by every prompt at once (one vision pass, one batched decoder pass).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Segment one image by text and/or image prompts.",
        discussion: """
        Writes the raw logits as a float32 NumPy array [prompts, size, size] (--logits; text prompts first, \
        then image prompts, in the order given) and/or a PNG of the image with each prompt's mask tinted in \
        its own colour (-o). Example: clipseg image photo.jpg --prompt cat --prompt "a dog" --logits out.npy
        """
    )

    @Argument(help: ArgumentHelp("The picture to segment (PNG, JPEG, … anything FFmpeg decodes).", valueName: "IMAGE"))
    var image: String

    @Option(help: ModelDirectoryDefault.help)
    var model: String?

    @Option(name: .customLong("prompt"), help: ArgumentHelp("A text prompt; repeat for several.", valueName: "TEXT"))
    var prompts: [String] = []

    @Option(name: .customLong("image-prompt"),
            help: ArgumentHelp("A picture to use as a visual prompt; repeat for several.", valueName: "FILE"))
    var imagePrompts: [String] = []

    @Option(help: ArgumentHelp("Write the logits as a float32 .npy array [prompts, size, size] (- for standard output).",
                               valueName: "OUT.npy"))
    var logits: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the image with the masks drawn over it as PNG (- for standard output).",
                                                      valueName: "OUT.png"))
    var output: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Mask threshold on the sigmoid probability for -o (0…1).", valueName: "P"))
    var threshold: Float = MaskOptions().threshold

    @Option(help: PrecisionChoice.help)
    var precision: PrecisionChoice = PrecisionChoice.environmentDefault

    @OptionGroup(title: "Existing outputs")
    var overwriteOptions: OverwriteOptions

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Model input size in pixels (a multiple of the patch size; default: the model's, 352).",
        discussion: "Larger sees finer detail, is slower and needs more memory; the logits are [prompts, size, size].",
        valueName: "N"))
    var size: Int?

    @Option(name: .customLong("max-pixels"), help: MaxPixelsOption.help)
    var maxPixels: MaxPixelsOption = .standard

    func validate() throws {
        guard !prompts.isEmpty || !imagePrompts.isEmpty else {
            throw ValidationError("give at least one --prompt TEXT or --image-prompt FILE")
        }
        guard logits != nil || output != nil else {
            throw ValidationError("nothing to write: give --logits OUT.npy and/or -o OUT.png")
        }
        guard threshold >= 0, threshold <= 1 else { throw ValidationError("--threshold must be between 0 and 1") }
        if let size, !(1...4096).contains(size) { throw ValidationError("--size must be between 1 and 4096, got \(size)") }
        if logits == "-" && output == "-" {
            throw ValidationError("only one of --logits and -o can write to standard output (-)")
        }
        if let output, output != "-", (output as NSString).pathExtension.lowercased() != "png" {
            throw ValidationError("-o \(output): the picture is written as PNG; give a name ending in .png (or - for standard output)")
        }
        if image == "-" && imagePrompts.contains("-") {
            throw ValidationError("IMAGE - and --image-prompt - cannot both read standard input")
        }
    }

    /// The files this command reads and writes, checked before anything is loaded (see `OutputPaths`).
    private func outputPaths() throws -> OutputPaths {
        var paths = OutputPaths()
        paths.input("IMAGE", image)
        for path in imagePrompts { paths.input("--image-prompt", path) }
        paths.modelFolder("--model", try ModelDirectoryDefault.resolve(model))
        if let logits { paths.output("--logits", OutputPaths.file(logits)) }
        if let output { paths.output("-o", OutputPaths.file(output)) }
        return paths
    }

    func run() async throws {
        try PrecisionChoice.checkEnvironment()
        try precision.checkOffered()
        try outputPaths().verify(policy: overwriteOptions.policy)
        let request = Request(image: image, modelDirectory: try ModelDirectoryDefault.resolve(model), prompts: prompts,
                              imagePrompts: imagePrompts, logits: logits, output: output, threshold: threshold,
                              precision: precision, size: size, maxPixels: maxPixels.pixels)
        // Decoding and BLAS block; keep them off Swift's cooperative pool.
        try await MaxPixelsOption.explaining { try await DedicatedThread.run(name: "clipseg image") { try request.execute() } }
    }
}

/// One `clipseg image` invocation's work, run on its own thread.
private struct Request: Sendable {
    let image: String
    let modelDirectory: URL
    let prompts: [String]
    let imagePrompts: [String]
    let logits: String?
    let output: String?
    let threshold: Float
    let precision: PrecisionChoice
    let size: Int?
    let maxPixels: Int

    func execute() throws {
        // The picture's size is known once it is open; the memory check comes before anything big is read.
        let picture = try OpenedStillImage(path: image, maximumPixels: maxPixels)
        // One pass split over every core, as segment runs it (OpenBLAS single-threaded, see CLIPSegBackend).
        let threads = ProcessInfo.processInfo.activeProcessorCount
        if let budget = MemoryBudget(modelDirectory: modelDirectory) {
            let run = budget.imageRun(size: size, width: picture.width, height: picture.height, texts: prompts.count,
                                      images: imagePrompts.count, precision: precision, overlay: output != nil,
                                      pictureBytes: try MemoryBudget.pictureBytes(imagePrompts, maximumPixels: maxPixels),
                                      threads: threads)
            try budget.require(size: size, run: run, frames: "a picture of \(picture.width)×\(picture.height)")
        }
        let model = try CLIPSegModel(directory: modelDirectory, visionPrecision: precision.format)
        precision.announce()
        let workspace = InferenceWorkspace(threads: threads)
        let encoder = PromptEncoder(model: model)
        var parts: [Tensor] = []
        if !prompts.isEmpty {
            let tokenized = try encoder.tokenize(prompts)
            for prompt in tokenized.truncated {
                StandardError.write(PromptLengthWarning.message(source: "--prompt", prompt: prompt,
                                                                limit: encoder.tokenLimit ?? 77))
            }
            parts.append(try encoder.embed(tokenized, workspace: workspace))
        }
        for path in imagePrompts {
            let prompt = try StillImage.load(path: path, maximumPixels: maxPixels)
            parts.append(try encoder.embed(imageRGB: prompt.pixels, width: prompt.width, height: prompt.height,
                                           workspace: workspace))
        }
        let count = prompts.count + imagePrompts.count
        let embeddings = encoder.stack(parts)
        var frame = try picture.decode()
        let input = try CLIPSegBackend(model: model, inputSize: size, visionThreads: threads).prepare(frame, recycling: nil)
        let result = try model.decode(try model.visionFeatures(input, workspace: workspace), conditionals: embeddings,
                                      workspace: workspace)
        if let logits {
            try write(NumPyFile.float32(result.data, shape: result.shape), to: logits)
        }
        if let output {
            var shaper = MaskShaper(options: MaskOptions(threshold: threshold))
            let masks = shaper.shape(logits: result.data, logitsWidth: result.shape[2], logitsHeight: result.shape[1],
                                     positiveCount: count, frameWidth: frame.width, frameHeight: frame.height)
            var compositor = Compositor(mode: .overlay)
            try compositor.render(&frame, masks: masks)
            try write(StillImage.pngBytes(frame, name: output == "-" ? "standard output" : output), to: output)
        }
    }

    /// Writes a whole output file (`WholeFileWrite`), or to standard output for `-`.
    private func write(_ bytes: [UInt8], to path: String) throws {
        if path == "-" {
            try StandardOutput.write(bytes)
            return
        }
        do {
            try WholeFileWrite.write(bytes, to: path)
        } catch {
            throw CommandFailure.runtime(error.description)
        }
    }
}
