import ArgumentParser
import ReducedPrecision

/// `--precision`: the number format of the image encoder's linear layers (≈ 90% of a frame's
/// arithmetic). `fp32` runs them on OpenBLAS; `bf16` and `int8` on oneDNN (`ReducedPrecisionFormat`).
/// The text encoder, the decoder, attention products and layer norms always run in float32.
enum PrecisionChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case fp32
    case bf16
    case int8

    /// The reduced format, or nil for float32.
    var format: ReducedPrecisionFormat? { ReducedPrecisionFormat(rawValue: rawValue) }

    static let help = ArgumentHelp(
        "Number format of the image encoder's matrix products: fp32, bf16 or int8 (default: fp32).",
        discussion: "bf16 (needs AVX-512) and int8 are faster; their masks differ from fp32's at a few edge pixels. "
            + "The text encoder and the decoder always run in fp32. See Benchmarks/RESULTS.md.",
        valueName: "P")

    /// Whether `arguments` (a command line, program name first) ask for a reduced precision, as
    /// `--precision bf16` or `--precision=int8`; read before parsing, to set up the process for it.
    static func isReducedRequested(in arguments: [String]) -> Bool {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return false }
            let value: String?
            if argument == "--precision" {
                value = index + 1 < arguments.count ? arguments[index + 1] : nil
            } else if argument.hasPrefix("--precision=") {
                value = String(argument.dropFirst("--precision=".count))
            } else {
                continue
            }
            if let value, let choice = PrecisionChoice(rawValue: value), choice != .fp32 { return true }
        }
        return false
    }
}
