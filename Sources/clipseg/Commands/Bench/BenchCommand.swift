import ArgumentParser
import CLIPSeg
import Foundation
import MediaIO
import Pipeline
import ReducedPrecision
import StreamKit
import TensorKit
import VideoFrames

/// `clipseg bench`: times the model's stages as `clipseg segment` runs them on one 640×480 frame —
/// text encoder (all prompts), preprocessing, vision encoder (once), decoder (all prompts in one batch) —
/// and prints the medians, as a table or (`--json`) as the one-line object `Benchmarks/compare.py` reads:
/// `{"text_ms", "vision_ms", "decoder_ms", "total_ms", "prompts", "threads", "precision", "blas_core", "isa"}`
/// (`precision` as it ran, `auto` resolved; `isa` the kernel family, `KernelISA.current`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the model's stages (text encoder, vision encoder, decoder, whole frame) on this machine.",
        discussion: """
        Text prompts are the first N of "a red circle", "the small blue square on a white background", "cat", \
        "a photograph of two dogs playing, near the river!" (repeated with a number when N > 4), as \
        Benchmarks/reference_benchmark.py uses them. The frame is a synthetic 640×480 picture. total_ms is one \
        whole frame as segment runs it (preprocess + vision + decoder; prompt embeddings are cached, so the text \
        encoder is not part of it). Example: clipseg bench --model ~/models/clipseg-rd64-refined --prompts 4 --json
        """
    )

    static let referencePrompts = ["a red circle", "the small blue square on a white background", "cat",
                                   "a photograph of two dogs playing, near the river!"]

    @Option(help: ModelDirectoryDefault.help)
    var model: String?

    @Option(help: ArgumentHelp("Number of text prompts decoded per frame.", valueName: "N"))
    var prompts = 1

    @Option(help: ArgumentHelp("Timed runs (the medians are printed).", valueName: "R"))
    var runs = 10

    @Option(help: ArgumentHelp("Untimed runs first.", valueName: "W"))
    var warmup = 2

    @Option(help: ArgumentHelp("Threads for the matrix products (default: all cores).", valueName: "T"))
    var threads: Int?

    @Option(help: ArgumentHelp("Model input size (default: the model's).", valueName: "N"))
    var size: Int?

    @Option(help: PrecisionChoice.help)
    var precision: PrecisionChoice = PrecisionChoice.environmentDefault

    @Flag(help: "Print one JSON object of medians in milliseconds instead of a table.")
    var json = false

    func validate() throws {
        guard (1...64).contains(prompts) else { throw ValidationError("--prompts must be between 1 and 64") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
    }

    func run() async throws {
        try PrecisionChoice.checkEnvironment()
        try precision.checkOffered()
        let directory = try ModelDirectoryDefault.resolve(model)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let texts = (0..<prompts).map { i in
            Self.referencePrompts[i % 4] + (i < 4 ? "" : " \(i / 4 + 1)")
        }
        let (runs, warmup, size, precision) = (self.runs, self.warmup, self.size, self.precision)
        let timings = try await DedicatedThread.run(name: "clipseg-bench") {
            if let budget = MemoryBudget(modelDirectory: directory) {
                try budget.require(size: size, run: budget.benchRun(prompts: texts.count, threads: threadCount,
                                                                    precision: precision, width: 640, height: 480))
            }
            // As segment runs the model: each pass split over `threadCount` threads (see CLIPSegBackend).
            let model = try SegmentSetup.loadModel(directory, precision: precision)
            precision.announce()
            let backend = try CLIPSegBackend(model: model, inputSize: size,
                                             visionThreads: threadCount, maskDecoderThreads: threadCount)
            return try BenchTimings.measure(backend: backend, texts: texts, runs: runs, warmup: warmup)
        }
        let report = json ? timings.json(prompts: prompts, threads: threadCount, precision: precision)
            : timings.table(model: directory.path, prompts: prompts, threads: threadCount, precision: precision,
                            runs: runs, warmup: warmup)
        try StandardOutput.write(report + "\n")
    }
}

/// Median stage times of `clipseg bench`, in milliseconds.
struct BenchTimings: Sendable {
    var text: Double
    var preprocess: Double
    var vision: Double
    /// The mask decoder (all prompts, one batch); reported as `decoder_ms` and the row `decoder`, the names
    /// Benchmarks/ scripts read.
    var maskDecoder: Double
    var total: Double
    var inputSide: Int

    static func measure(backend: CLIPSegBackend, texts: [String], runs: Int, warmup: Int) throws -> BenchTimings {
        let frame = syntheticFrame(width: 640, height: 480)
        let scratch = backend.makeScratch(for: .vision), maskDecoderScratch = backend.makeScratch(for: .maskDecoder)
        let clock = SystemClock()
        var samples: [[Double]] = []  // text, preprocess, vision, mask decoder per run
        var input: TensorKit.Tensor?
        for run in 0..<(warmup + runs) {
            let t0 = clock.now()
            let rows = try backend.embed(texts: texts, scratch: scratch).rows
            let t1 = clock.now()
            let prepared = try backend.prepare(frame, recycling: input)
            let t2 = clock.now()
            let features = try backend.encode(prepared, scratch: scratch)
            let t3 = clock.now()
            let conditionals = ConditionalEmbeddings(rows: rows.flatMap { $0 }, count: rows.count, size: backend.embeddingSize)
            _ = try backend.decodeMasks(features, conditionals: conditionals, scratch: maskDecoderScratch)
            let t4 = clock.now()
            input = prepared
            if run >= warmup { samples.append([t1 - t0, t2 - t1, t3 - t2, t4 - t3].map { $0 * 1000 }) }
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
                : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return BenchTimings(text: median(samples.map { $0[0] }), preprocess: median(samples.map { $0[1] }),
                            vision: median(samples.map { $0[2] }), maskDecoder: median(samples.map { $0[3] }),
                            total: median(samples.map { $0[1] + $0[2] + $0[3] }),
                            inputSide: backend.inputSide(width: frame.width, height: frame.height) ?? 0)
    }

    /// A deterministic 640×480 picture: gradients with a few flat shapes.
    static func syntheticFrame(width: Int, height: Int) -> RGBFrame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let inCircle = (x - 200) * (x - 200) + (y - 240) * (y - 240) < 80 * 80
                let inSquare = x > 400 && x < 520 && y > 100 && y < 220
                pixels[i] = inCircle ? 220 : UInt8(x * 255 / width)
                pixels[i + 1] = inSquare ? 40 : UInt8(y * 255 / height)
                pixels[i + 2] = inSquare ? 210 : UInt8((x + y) % 256)
            }
        }
        return RGBFrame(width: width, height: height, pixels: pixels)
    }

    private static func number(_ value: Double) -> String { String(format: "%.3f", value) }

    func json(prompts: Int, threads: Int, precision: PrecisionChoice) -> String {
        "{\"text_ms\":\(Self.number(text)),\"vision_ms\":\(Self.number(vision)),\"decoder_ms\":\(Self.number(maskDecoder)),"
            + "\"total_ms\":\(Self.number(total)),\"prompts\":\(prompts),\"threads\":\(threads),\"precision\":\"\(precision.resolvedName)\","
            + "\"blas_core\":\"\(BLASKernelSelection.coreName)\",\"isa\":\"\(KernelISA.current)\"}"
    }

    func table(model: String, prompts: Int, threads: Int, precision: PrecisionChoice, runs: Int, warmup: Int) -> String {
        func row(_ name: String, _ value: Double) -> String {
            name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%10.1f", value)
        }
        return """
        clipseg bench: \(model), input \(inputSide)×\(inputSide), \(prompts) prompt\(prompts == 1 ? "" : "s"), \
        \(threads) thread\(threads == 1 ? "" : "s"), \(precision.resolvedName)\(precision == .auto ? " (auto)" : ""), \
        \(KernelISA.current) kernels; median of \(runs) runs after \(warmup) warm-up
        OpenBLAS kernels: \(BLASKernelSelection.coreName)\(BLASKernelSelection.forcedSlowerKernelsNote.map { " (\($0))" } ?? "")
        idle math threads: \(ThreadWaitPolicy.summary)
        stage                    ms
        \(row("text encoder", text))   (all prompts; cached by segment)
        \(row("preprocess", preprocess))
        \(row("vision encoder", vision))   (once per frame)
        \(row("decoder", maskDecoder))   (all prompts, one batch)
        \(row("whole frame", total))   (\(String(format: "%.2f", 1000 / max(total, 1e-9))) frames/s)
        """
    }
}
