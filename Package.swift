// swift-tools-version:6.0
// clipseg-swift: text- and image-prompted video segmentation with CLIPSeg, in Swift over OpenBLAS and FFmpeg.
//
// Dependencies point one way (a target ← what it imports; C system-library shims: COpenBLAS, CFFmpeg, CV4L2, CDNNL):
//   CVectorKernels, FileSafety, StreamKit, UserText, VideoFrames                   (no dependencies)
//   SafeTensors       ← UserText                                                       checkpoints
//   CLIPTokenizer     ← UserText                                                       prompts → token ids
//   TorchCheckpoint   ← SafeTensors, UserText                                          pytorch_model.bin, no code run
//   ModelHub          ← UserText                                                       hub ids, the Hugging Face cache,
//                                                                                      downloads (FoundationNetworking)
//   TensorKit         ← COpenBLAS, CVectorKernels
//   ReducedPrecision  ← CDNNL, TensorKit, CVectorKernels
//   CLIPSeg           ← TensorKit, SafeTensors, TorchCheckpoint, CLIPTokenizer,        the model
//                       ReducedPrecision
//   MediaIO           ← CFFmpeg, CV4L2, FileSafety, VideoFrames                        video in and out, virtual cameras
//                                                                                      (CFFmpeg links libavdevice too)
//   MaskRender        ← VideoFrames, UserText                                          masks → pictures, statistics
//   Pipeline          ← StreamKit, MaskRender, VideoFrames, UserText                   the stage chain; never the model,
//                                                                                      never FFmpeg
//   PreviewServer     ← Pipeline, StreamKit, VideoFrames                               the live preview's web server and
//                                                                                      page; never FFmpeg (JPEGs come
//                                                                                      through a closure)
//   clipseg           ← Pipeline, StreamKit, MaskRender, UserText, CLIPSeg, CLIPTokenizer,   the command line, its terminal
//                       ReducedPrecision, TensorKit, MediaIO, VideoFrames, FileSafety,      code, the CLIPSeg adapter and
//                       ModelHub, PreviewServer, ArgumentParser                             the sinks over MediaIO's writers
//   gemm-bench        ← ReducedPrecision, TensorKit
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
        .library(name: "TorchCheckpoint", targets: ["TorchCheckpoint"]),
        .library(name: "VideoFrames", targets: ["VideoFrames"]),
    ],
    dependencies: [
        // 1.8: `@Option(defaultAsFlag:)` (`--reconnect [COUNT|forever]`).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
    ],
    targets: [
        // C system-library shims. Macros and variadic functions Swift cannot import are wrapped
        // as prefixed `static inline` functions or `static const` values in each shim.h.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg",
                       providers: [.apt(["libavcodec-dev", "libavformat-dev", "libavdevice-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CV4L2", path: "Sources/CV4L2", pkgConfig: "libv4l2",
                       providers: [.apt(["libv4l-dev"])]),
        // oneDNN 2.x (Debian ships no .pc file for it): bf16/int8 matmul for --precision.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // Our kernels: the dense layers' GEMM over pre-packed weight panels, float32 and fused bf16 attention
        // per head, and element-wise passes (softmax, bias + activation, layer norm), in AVX-512 and AVX2 + FMA
        // builds (compiled per function, x86-64 only) and plain C; TensorKit's KernelISA picks the family.
        .target(name: "CVectorKernels"),

        // Model side.
        .target(name: "TensorKit", dependencies: ["COpenBLAS", "CVectorKernels"]),
        .target(name: "SafeTensors", dependencies: ["UserText"]),
        .target(name: "CLIPTokenizer", dependencies: ["UserText"]),
        // Hub ids (`OWNER/NAME[@REVISION]`), the Hugging Face cache layout, and downloads from the hub over
        // FoundationNetworking's URLSession (ships with the toolchain): resume, redirects, sha256 checks.
        .target(name: "ModelHub", dependencies: ["UserText"]),
        // PyTorch's zip checkpoints (`pytorch_model.bin`): a restricted unpickler (allow-listed globals, nothing
        // executed) over a memory-mapped archive, sharing SafeTensors' element types and conversions.
        .target(name: "TorchCheckpoint", dependencies: ["SafeTensors", "UserText"]),
        .target(name: "CLIPSeg", dependencies: ["TensorKit", "SafeTensors", "TorchCheckpoint", "CLIPTokenizer",
                                                "ReducedPrecision"]),
        // Reduced-precision (bf16 / int8) linear layers over oneDNN.
        .target(name: "ReducedPrecision", dependencies: ["CDNNL", "TensorKit", "CVectorKernels"]),

        // Outputs that never destroy inputs: file identities, path clashes, picture-sequence names,
        // whole-file writes that keep devices and pipes in place. No dependencies.
        .target(name: "FileSafety"),

        // Frames as Swift owns them, and what produces and refuses them: `RGBFrame`, `SourceInfo`, the
        // `FrameSource` protocol, `OutputClosedError`. No dependencies: the pipeline and the mask renderer
        // use frames without linking FFmpeg or V4L2.
        .target(name: "VideoFrames"),

        // Media side: FFmpeg and V4L2 sources and writers.
        .target(name: "MediaIO", dependencies: ["CFFmpeg", "CV4L2", "FileSafety", "VideoFrames"]),

        // Text a user typed or a file holds: blanks trimmed when read, control characters escaped when quoted
        // in a message, JSON string literals, strict UTF-8 validation. No dependencies.
        .target(name: "UserText"),

        // Stream primitives: bounded channels and their drop policy, frame ledger, recycling pool,
        // dedicated threads and their executor, clocks, thread priority, turn-taking. No dependencies: they know
        // nothing of video or models.
        .target(name: "StreamKit"),

        // Mask shaping, resampling, blur, compositing, overlay, backgrounds, colours, per-frame statistics:
        // what `segment` and `image` both draw with.
        .target(name: "MaskRender", dependencies: ["VideoFrames", "UserText"]),

        // The streaming segmenter: the stage chain over `SegmentationBackend` and the `FrameSink` protocol,
        // prompts and control grammar. Never the model (the CLIPSeg adapter lives in `clipseg`), never FFmpeg
        // (it reads any `FrameSource`; the sinks over MediaIO's writers live in `clipseg`).
        .target(name: "Pipeline", dependencies: ["StreamKit", "MaskRender", "VideoFrames", "UserText"]),

        // The live preview (`segment --preview`): a minimal HTTP/1.1 server on Glibc sockets and dedicated threads,
        // one page from memory, MJPEG video, JSON status, control commands by POST through the `--control` path.
        // Never FFmpeg: the command line hands it a JPEG encoder (MediaIO's `JPEGEncoder`) as a closure.
        .target(name: "PreviewServer", dependencies: ["Pipeline", "StreamKit", "VideoFrames"]),

        // The command line, its terminal code (Terminal/), the CLIPSeg adapter (Model/CLIPSegBackend) and the
        // sinks that join the chain to MediaIO's writers (Output/).
        .executableTarget(name: "clipseg", dependencies: [
            "Pipeline", "StreamKit", "MaskRender", "UserText", "CLIPSeg", "MediaIO", "VideoFrames", "CLIPTokenizer",
            "ReducedPrecision", "TensorKit", "FileSafety", "ModelHub", "PreviewServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildCommitStamp"]),
        // Writes the git commit of the build into the `clipseg` target (`BuildCommit.stamp`, for --version).
        .plugin(name: "BuildCommitStamp", capability: .buildTool(), path: "Plugins/BuildCommitStamp"),

        // GEMM micro-benchmark: OpenBLAS fp32 vs oneDNN bf16/int8 on the model's shapes.
        .executableTarget(name: "gemm-bench", dependencies: ["ReducedPrecision", "TensorKit"],
                          path: "Benchmarks/GEMMBench"),

        // Tests. TestSupport holds shared helpers (fixture paths, temp folders, running the binary, ffmpeg).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Forcing a kernel family (avx512, avx2, portable) around a test body, skipping where the CPU lacks it.
        .target(name: "KernelTestSupport", dependencies: ["TensorKit"], path: "Tests/KernelTestSupport"),
        .testTarget(name: "TensorKitTests", dependencies: ["TensorKit", "CVectorKernels", "TestSupport", "KernelTestSupport"]),
        .testTarget(name: "FileSafetyTests", dependencies: ["FileSafety", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TorchCheckpointTests", dependencies: ["TorchCheckpoint", "SafeTensors", "TestSupport"]),
        .testTarget(name: "CLIPTokenizerTests", dependencies: ["CLIPTokenizer", "TestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "TestSupport"]),
        .testTarget(name: "ReducedPrecisionTests", dependencies: ["ReducedPrecision", "TensorKit", "TestSupport",
                                                                  "KernelTestSupport"]),
        .testTarget(name: "CLIPSegTests", dependencies: ["CLIPSeg", "ReducedPrecision", "TensorKit", "SafeTensors", "CLIPTokenizer", "MediaIO", "VideoFrames", "TestSupport",
                                                         "KernelTestSupport"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "VideoFrames", "TestSupport"]),
        // StreamKitTests, MaskRenderTests and PipelineTests depend on no native library (no FFmpeg, OpenBLAS,
        // oneDNN or V4L2): their targets' graphs hold none, so the compiler proves they need none.
        .testTarget(name: "StreamKitTests", dependencies: ["StreamKit", "TestSupport"]),
        .testTarget(name: "UserTextTests", dependencies: ["UserText"]),
        .testTarget(name: "MaskRenderTests", dependencies: ["MaskRender", "VideoFrames", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "StreamKit", "MaskRender", "VideoFrames", "TestSupport"]),
        // The preview server in process, over real loopback sockets, with a stand-in JPEG encoder (no FFmpeg).
        .testTarget(name: "PreviewServerTests", dependencies: ["PreviewServer", "Pipeline", "VideoFrames", "TestSupport"]),
        // End-to-end tests run the real `clipseg` binary as a child process; unit tests of its terminal code
        // and of the CLIPSeg adapter use `@testable import clipseg`.
        .testTarget(name: "CLITests", dependencies: [
            "clipseg", "Pipeline", "StreamKit", "CLIPSeg", "MediaIO", "VideoFrames", "TensorKit", "ReducedPrecision",
            "FileSafety", "ModelHub", "TestSupport", "KernelTestSupport",
            // and ask the C libraries themselves what `clipseg --version` should say
            "CFFmpeg", "COpenBLAS", "CDNNL",
        ]),
    ]
)
