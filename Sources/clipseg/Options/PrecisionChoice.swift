import ArgumentParser
import ReducedPrecision
import TensorKit

/// `--precision`: the number format of the image encoder's linear layers (≈ 90% of a frame's
/// arithmetic). `fp32` runs them on our packed GEMM (or OpenBLAS); `bf16` and `int8` on oneDNN
/// (`ReducedPrecisionFormat`); `auto` (the default) the fastest this CPU runs well (`automaticFormat`).
/// The text encoder, the decoder, attention products and layer norms always run in float32.
enum PrecisionChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case auto
    case fp32
    case bf16
    case int8

    /// What `auto` runs here: bf16 where oneDNN multiplies bf16 natively (AVX512-BF16, AMX), int8 where its
    /// int8 products use VNNI, else nil (float32). Never a format `ReducedPrecisionFormat.refusal` refuses.
    static var automaticFormat: ReducedPrecisionFormat? {
        if ReducedPrecisionFormat.bf16.refusal == nil { return .bf16 }
        if OneDNNRuntime.hasVNNI && ReducedPrecisionFormat.int8.refusal == nil { return .int8 }
        return nil
    }

    /// The reduced format this choice runs (`auto` resolved on this CPU), or nil for float32.
    var format: ReducedPrecisionFormat? {
        self == .auto ? Self.automaticFormat : ReducedPrecisionFormat(rawValue: rawValue)
    }

    /// The value that runs: `fp32`, `bf16` or `int8` (`auto` resolved).
    var resolvedName: String { format?.rawValue ?? "fp32" }

    /// Why `auto` picks what it picks here, e.g. `this CPU has no AVX512-BF16 or VNNI`.
    static var automaticReason: String {
        switch automaticFormat {
        case .bf16: "oneDNN multiplies bf16 natively here"
        case .int8: "oneDNN's int8 products use VNNI here"
        case nil: "this CPU has no AVX512-BF16 or VNNI"
        }
    }

    /// The one line `auto` prints on standard error, e.g. `precision: auto → fp32 (this CPU has no
    /// AVX512-BF16 or VNNI)`; nil for an explicit value.
    var automaticNote: String? {
        self == .auto ? "precision: auto → \(resolvedName) (\(Self.automaticReason))" : nil
    }

    /// Refuses an explicit reduced precision this CPU does not run well, as one line naming the option
    /// (exit 64); for `auto`, prints `automaticNote` unless `quiet`. Call before anything is loaded.
    func checkOffered(quiet: Bool = false) throws {
        if self == .auto {
            if !quiet, let note = automaticNote { StandardError.write(note) }
            return
        }
        if let refusal = format?.refusal { throw CommandFailure.usage("--precision \(rawValue): \(refusal)") }
    }

    static let help = ArgumentHelp(
        "Number format of the image encoder's matrix products: auto, fp32, bf16 or int8 (default: auto).",
        discussion: "auto picks bf16 where the CPU has AVX512-BF16 or AMX, int8 where it has VNNI, else fp32, and says "
            + "which on standard error. bf16 and int8 are faster; their masks differ from fp32's at a few edge pixels. "
            + "A format this CPU runs slower than fp32 (bf16 without AVX512-BF16) is refused. The text encoder and the "
            + "decoder always run in fp32. See Benchmarks/RESULTS.md.",
        valueName: "P")

    /// Whether `arguments` (a command line, program name first) run a reduced precision, as
    /// `--precision bf16`, `--precision=int8`, or `auto` (given or by default, for `segment`, `image`
    /// and `bench`) where it picks one; read before parsing, to set up the process for it.
    static func isReducedRequested(in arguments: [String]) -> Bool {
        var given: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--precision" {
                given = index + 1 < arguments.count ? arguments[index + 1] : nil
            } else if argument.hasPrefix("--precision=") {
                given = String(argument.dropFirst("--precision=".count))
            }
        }
        let runsModel = arguments.dropFirst().first.map { ["segment", "image", "bench"].contains($0) } ?? false
        guard let choice = given.flatMap(PrecisionChoice.init(rawValue:)) ?? (runsModel ? .auto : nil) else { return false }
        return choice.format != nil
    }
}
