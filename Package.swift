// swift-tools-version:6.0
// clipseg-swift: text- and image-prompted video segmentation with CLIPSeg, in Swift over OpenBLAS and FFmpeg.
//
// Dependencies point one way:
//   COpenBLAS, CVectorKernels → TensorKit → SafeTensors → (CLIPTokenizer) → CLIPSeg ─┐
//   CFFmpeg, CV4L2 → MediaIO ────────────────────────────────────────┴→ Pipeline → clipseg
import PackageDescription

let package = Package(
    name: "clipseg-swift",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clipseg", targets: ["clipseg"]),
        .library(name: "CLIPSeg", targets: ["CLIPSeg"]),
        .library(name: "MediaIO", targets: ["MediaIO"]),
        // For the fuzz package (Tests/Fuzz), which depends on this one by path.
        .library(name: "SafeTensors", targets: ["SafeTensors"]),
        .library(name: "CLIPTokenizer", targets: ["CLIPTokenizer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
    ],
    targets: [
        // C system-library shims. Macros and variadic functions Swift cannot import are wrapped
        // as prefixed `static inline` functions or `static const` values in each shim.h.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg",
                       providers: [.apt(["libavcodec-dev", "libavformat-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CV4L2", path: "Sources/CV4L2", pkgConfig: "libv4l2",
                       providers: [.apt(["libv4l-dev"])]),
        // oneDNN 2.x (Debian ships no .pc file for it): bf16/int8 matmul for --precision.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // AVX-512 kernels: the dense layers' GEMM over pre-packed weight panels, float32 and fused bf16
        // attention per head, and element-wise passes (softmax, bias + activation, layer norm); compiled
        // per function for AVX-512 and used only on CPUs that have it.
        .target(name: "CVectorKernels"),

        // Model side.
        .target(name: "TensorKit", dependencies: ["COpenBLAS", "CVectorKernels"]),
        .target(name: "SafeTensors"),
        .target(name: "CLIPTokenizer"),
        .target(name: "CLIPSeg", dependencies: ["TensorKit", "SafeTensors", "CLIPTokenizer", "ReducedPrecision"]),
        // Reduced-precision (bf16 / int8) linear layers over oneDNN.
        .target(name: "ReducedPrecision", dependencies: ["CDNNL", "TensorKit"]),

        // Media side.
        .target(name: "MediaIO", dependencies: ["CFFmpeg", "CV4L2"]),

        // Streaming segmenter and command line.
        .target(name: "Pipeline", dependencies: [
            "CLIPSeg", "MediaIO",
            .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
        ]),
        .executableTarget(name: "clipseg", dependencies: [
            "Pipeline", "CLIPSeg", "MediaIO", "CLIPTokenizer", "ReducedPrecision",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // GEMM micro-benchmark: OpenBLAS fp32 vs oneDNN bf16/int8 on the model's shapes.
        .executableTarget(name: "gemm-bench", dependencies: ["ReducedPrecision", "TensorKit"],
                          path: "Benchmarks/GEMMBench"),

        // Tests. TestSupport holds shared helpers (fixture paths, temp folders, running the binary, ffmpeg).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorKitTests", dependencies: ["TensorKit", "CVectorKernels", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "CLIPTokenizerTests", dependencies: ["CLIPTokenizer", "TestSupport"]),
        .testTarget(name: "ReducedPrecisionTests", dependencies: ["ReducedPrecision", "TensorKit", "TestSupport"]),
        .testTarget(name: "CLIPSegTests", dependencies: ["CLIPSeg", "ReducedPrecision", "TensorKit", "SafeTensors", "CLIPTokenizer", "MediaIO", "TestSupport"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"]),
        // End-to-end tests run the real `clipseg` binary as a child process.
        .testTarget(name: "CLITests", dependencies: ["clipseg", "CLIPSeg", "TestSupport"]),
    ]
)
