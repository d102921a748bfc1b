import CVectorKernels
#if canImport(Glibc)
import Glibc
#endif

/// The family of TensorKit's own kernels (CVectorKernels) that runs the dense layers, attention and
/// element-wise passes: the one place that decides it, from the CPU and `CLIPSEG_ISA`.
///
/// - `avx512`: AVX-512F + FMA builds (8 × 48 register tiles).
/// - `avx2`: AVX2 + FMA builds (6 × 16 register tiles over the same 48-column weight panels).
/// - `portable`: OpenBLAS sgemm for the products and portable Swift loops for the element-wise passes.
///
/// The process starts with `startupChoice` (`CLIPSEG_ISA=avx512|avx2|portable`, `CLIPSEG_PORTABLE_KERNELS=1`
/// as an alias of `portable`, else the best `supported`); a family above what the CPU runs is never selected
/// (lowered, with a note), so no kernel can stop on an illegal instruction. Tests switch families in-process
/// with `withForced(_:_:)`. Layers read the family when they are built (`DenseWeights.Layout.preferred`) and
/// when they run; build and run a model under the same family.
public enum KernelISA: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// The environment variable that forces a family.
    public static let variable = "CLIPSEG_ISA"
    /// The older switch: `1` means `portable`.
    public static let portableAliasVariable = "CLIPSEG_PORTABLE_KERNELS"

    /// The spelling `CLIPSEG_ISA` takes and reports print: `avx512`, `avx2`, `portable`.
    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    /// What the family needs from the CPU, e.g. `AVX-512F and FMA`.
    public var requirement: String {
        switch self {
        case .portable: "nothing"
        case .avx2: "AVX2 and FMA"
        case .avx512: "AVX-512F and FMA"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = match
    }

    public static func < (a: KernelISA, b: KernelISA) -> Bool { a.rawValue < b.rawValue }

    /// The most capable family this CPU and OS run (`portable` off x86-64).
    public static var supported: KernelISA { KernelISA(rawValue: Int(clipseg_isa_supported())) ?? .portable }

    /// The family the kernels run now.
    public static var current: KernelISA {
        _ = startupChoice
        return KernelISA(rawValue: Int(clipseg_isa_selected())) ?? .portable
    }

    /// What the environment asked for and what was selected at start-up (read once, on first use).
    public static let startupChoice: KernelISAChoice = {
        var environment: [String: String] = [:]
        for name in [variable, portableAliasVariable] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        let choice = KernelISAChoice(environment: environment, supported: supported)
        clipseg_isa_select(Int32(choice.selected.rawValue))
        return choice
    }()

    /// Runs `body` with the kernels of `isa`, then restores the family that ran before. Process-wide: for
    /// tests and benchmarks, while no other thread runs kernels. Throws `KernelISAUnavailable` (naming the
    /// missing features) when this CPU cannot run `isa`.
    public static func withForced<T>(_ isa: KernelISA, _ body: () throws -> T) throws -> T {
        guard isa <= supported else { throw KernelISAUnavailable(isa: isa) }
        let previous = current
        clipseg_isa_select(Int32(isa.rawValue))
        defer { clipseg_isa_select(Int32(previous.rawValue)) }
        return try body()
    }
}

/// A kernel family this CPU cannot run was asked for.
public struct KernelISAUnavailable: Error, CustomStringConvertible, Equatable, Sendable {
    public let isa: KernelISA
    public var description: String { "the \(isa) kernels need \(isa.requirement), which this CPU lacks" }
}
