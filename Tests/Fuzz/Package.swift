// swift-tools-version:6.0
// clipseg-swift's libFuzzer targets. A package of its own so that nothing here enters the main
// build: every target links libFuzzer, which only `-sanitize=fuzzer` provides. Build and run them
// with `Tests/Fuzz/run.sh TARGET SECONDS` (or `make fuzz`); see README.md.
//
// The targets use `@testable import` for the internal parsers (SafeTensorsLayout, the tokenizer file
// parsers, ElementConversion), which works because run.sh builds in the debug configuration.
import PackageDescription

let clipseg = "clipseg-swift"

let package = Package(
    name: "clipseg-fuzz",
    dependencies: [.package(name: clipseg, path: "../..")],
    targets: [
        // LLVMFuzzerRunDriver's declaration, so a Swift `main` can hand its arguments to libFuzzer.
        .target(name: "FuzzerDriver"),
        // Entry point, oracles, scratch files and fixture paths shared by the targets.
        .target(name: "FuzzSupport", dependencies: ["FuzzerDriver"]),

        .executableTarget(name: "fuzz-safetensors", dependencies: [
            "FuzzSupport", .product(name: "SafeTensors", package: clipseg),
        ]),
        .executableTarget(name: "fuzz-prompt", dependencies: [
            "FuzzSupport", .product(name: "CLIPTokenizer", package: clipseg),
        ]),
        .executableTarget(name: "fuzz-tokenizer-files", dependencies: [
            "FuzzSupport", .product(name: "CLIPTokenizer", package: clipseg),
        ]),
        .executableTarget(name: "fuzz-config", dependencies: [
            "FuzzSupport", .product(name: "CLIPSeg", package: clipseg),
            .product(name: "CLIPTokenizer", package: clipseg), .product(name: "SafeTensors", package: clipseg),
        ]),
        .executableTarget(name: "fuzz-torch-checkpoint", dependencies: [
            "FuzzSupport", .product(name: "TorchCheckpoint", package: clipseg), .product(name: "SafeTensors", package: clipseg),
        ]),
        .executableTarget(name: "fuzz-media", dependencies: [
            "FuzzSupport", .product(name: "MediaIO", package: clipseg), .product(name: "VideoFrames", package: clipseg),
        ]),
    ]
)
