import ArgumentParser
import TensorKit
#if canImport(Glibc)
import Glibc
#endif

/// The `clipseg` command: segment images, videos and cameras by a text or image prompt.
@main
struct ClipsegCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipseg",
        abstract: "Segment images, video files and live cameras by a text or image prompt (CLIPSeg).",
        discussion: """
        Model: a Hugging Face CLIPSeg folder such as CIDAS/clipseg-rd64-refined
        (config.json, preprocessor_config.json, model.safetensors, vocab.json, merges.txt).
        """,
        subcommands: [SegmentCommand.self, ImageCommand.self, TokenizeCommand.self, DevicesCommand.self, BenchCommand.self]
    )

    /// First of all (nothing read, written or started yet): re-executes once when the math libraries
    /// need settings they read only at load time (see `StartupRelaunch`).
    static func main() async {
        StartupRelaunch.performIfNeeded()
        await main(nil)
    }
}
