import ArgumentParser
import Foundation
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

    /// What `auto` runs here: the fastest offered format. bf16 where oneDNN multiplies bf16 natively
    /// (AVX512-BF16, AMX), else int8 wherever it is offered (VNNI, or oneDNN's AVX2 int8 kernels: 0.57× the
    /// fp32 time on a 2-core AVX2 EPYC, `Benchmarks/forced_paths.py`), else nil (float32). Never a format
    /// `ReducedPrecisionFormat.refusal` refuses.
    static var automaticFormat: ReducedPrecisionFormat? {
        if ReducedPrecisionFormat.bf16.refusal == nil { return .bf16 }
        if ReducedPrecisionFormat.int8.refusal == nil { return .int8 }
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
        case .int8: OneDNNRuntime.hasVNNI ? "oneDNN's int8 products use VNNI here"
                                          : "oneDNN's int8 products beat fp32 here; no AVX512-BF16"
        case nil: "oneDNN offers neither bf16 nor int8 products here"
        }
    }

    /// The one line `auto` prints on standard error, e.g. `precision: auto → fp32 (this CPU has no
    /// AVX512-BF16 or VNNI)`; nil for an explicit value.
    var automaticNote: String? {
        self == .auto ? "precision: auto → \(resolvedName) (\(Self.automaticReason))" : nil
    }

    /// Refuses an explicit reduced precision this CPU does not run well, as one line naming the option
    /// (exit 64). Call before anything is loaded.
    func checkOffered() throws {
        if self == .auto { return }
        if let refusal = format?.refusal { throw CommandFailure.usage("--precision \(rawValue): \(refusal)") }
    }

    /// Prints `automaticNote` (for `auto`) once the model is loaded, so that a run that fails before still
    /// says only its one error line.
    func announce(quiet: Bool = false) {
        if !quiet, let note = automaticNote { StandardError.write(note) }
    }

    /// The environment variable that sets the default when `--precision` is not given (`auto` when unset
    /// or empty): scripts and test suites pin one format on every CPU with it.
    static let environmentVariable = "CLIPSEG_PRECISION"

    /// `$CLIPSEG_PRECISION` when set to a valid value, else `auto` (an invalid value is reported by
    /// `checkEnvironment`).
    static var environmentDefault: PrecisionChoice {
        ProcessInfo.processInfo.environment[environmentVariable].flatMap(PrecisionChoice.init(rawValue:)) ?? .auto
    }

    /// Throws a usage error naming the variable when `$CLIPSEG_PRECISION` is set to something else than a value.
    static func checkEnvironment() throws {
        guard let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty,
              PrecisionChoice(rawValue: value) == nil else { return }
        throw CommandFailure.usage("\(environmentVariable) must be auto, fp32, bf16 or int8, got '\(value)'")
    }

    static let help = ArgumentHelp(
        "Number format of the image encoder's matrix products: auto, fp32, bf16 or int8 (default: auto, or $CLIPSEG_PRECISION).",
        discussion: "auto picks the fastest this CPU offers: bf16 where it has AVX512-BF16 or AMX, else int8 (VNNI or "
            + "AVX2), else fp32, and says "
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
        guard let choice = given.flatMap(PrecisionChoice.init(rawValue:)) ?? (runsModel ? environmentDefault : nil)
        else { return false }
        return choice.format != nil
    }
}
