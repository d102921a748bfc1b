import Foundation
import MediaIO
import ReducedPrecision
import TensorKit

/// The text of `clipseg --version`: the version and commit, then one `key: value` line each for the
/// libraries as loaded at run time (FFmpeg, OpenBLAS, oneDNN), the CPU, the features the kernels choose
/// by, and the kernels each `--precision` runs on here. Nothing is loaded or written to compute it.
///
///     clipseg 0.2.0 (commit ec12244a0c3d)
///     FFmpeg: 5.1.6-0+deb12u1 (libavcodec 59.37.100, libavformat 59.27.100, libavutil 57.28.100, libswscale 6.7.100)
///     OpenBLAS: 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (kernels in use: Zen)
///     oneDNN: 2.6.3 (instruction set: avx2)
///     CPU: AMD EPYC (2 logical CPUs)
///     CPU features: AVX2, FMA (not AVX-512F, AVX512-BF16, AVX512-VNNI, AVX-VNNI)
///     kernels: avx2 (CLIPSEG_ISA=avx512|avx2|portable; this CPU runs up to avx2)
///     fp32: AVX2 kernels for attention and element-wise passes; OpenBLAS sgemm (Zen kernels) for dense layers and convolutions
///     bf16: refused (bf16 matrix products need AVX-512 with AVX512-BF16 (oneDNN runs avx2 here); use int8 or fp32)
///     int8: oneDNN matmul (avx2, without VNNI)
///     auto: fp32 (this CPU has no AVX512-BF16 or VNNI)
enum VersionReport {
    static var text: String { lines.map { $0 + "\n" }.joined() }

    static var lines: [String] {
        [
            ClipsegVersion.headline,
            "FFmpeg: \(FFmpegVersions.release) ("
                + FFmpegVersions.libraries.map { "\($0.name) \($0.version)" }.joined(separator: ", ") + ")",
            "OpenBLAS: \(openBLASBuild) (kernels in use: \(BLASKernelSelection.coreName))",
            "oneDNN: \(OneDNNRuntime.version) (instruction set: \(OneDNNRuntime.instructionSet))",
            "CPU: \(CPUModelName.current ?? "unknown") (\(ProcessInfo.processInfo.activeProcessorCount) logical CPUs)",
            "CPU features: \(features(CPUFeatures.current))",
            "kernels: \(KernelISA.current) (\(KernelISA.variable)=avx512|avx2|portable; this CPU runs up to \(KernelISA.supported))",
            "fp32: \(float32Kernels)",
            "bf16: \(kernels(for: .bf16))",
            "int8: \(kernels(for: .int8))",
            "auto: \(PrecisionChoice.auto.resolvedName) (\(PrecisionChoice.automaticReason))",
        ]
    }

    /// OpenBLAS's configuration without its leading name: `0.3.21 NO_LAPACKE DYNAMIC_ARCH … MAX_THREADS=64`.
    private static var openBLASBuild: String {
        let configuration = BLASKernelSelection.configuration
        return configuration.hasPrefix("OpenBLAS ") ? String(configuration.dropFirst("OpenBLAS ".count)) : configuration
    }

    /// `AVX2, FMA (not AVX-512F, AVX512-BF16, AVX512-VNNI)`: the features present, then the ones missing.
    static func features(_ present: CPUFeatures) -> String {
        let have = CPUFeatures.names.filter { present.contains($0.feature) }.map(\.name)
        let lack = CPUFeatures.names.filter { !present.contains($0.feature) }.map(\.name)
        if have.isEmpty { return "none of " + lack.joined(separator: ", ") }
        return have.joined(separator: ", ") + (lack.isEmpty ? "" : " (not " + lack.joined(separator: ", ") + ")")
    }

    private static var float32Kernels: String {
        let blas = "OpenBLAS sgemm (\(BLASKernelSelection.coreName) kernels)"
        switch KernelISA.current {
        case .avx512: return "AVX-512 kernels for dense layers, attention and element-wise passes; \(blas) for convolutions"
        case .avx2: return "AVX2 kernels for attention and element-wise passes; \(blas) for dense layers and convolutions"
        case .portable: break
        }
        return "\(blas) for dense layers, attention and convolutions; portable Swift element-wise passes"
    }

    private static func kernels(for format: ReducedPrecisionFormat) -> String {
        if let refusal = format.refusal { return "refused (\(refusal))" }
        let isa = OneDNNRuntime.instructionSet
        switch format {
        case .bf16:
            return HeadBlockAttention.fusedKernelRunsHere
                ? "oneDNN matmul (\(isa)) and the fused AVX512-BF16 attention kernel"
                : "oneDNN matmul and attention (\(isa), bf16 converted without AVX512-BF16)"
        case .int8:
            return "oneDNN matmul (\(isa), \(OneDNNRuntime.hasVNNI ? "with" : "without") VNNI)"
        }
    }
}
