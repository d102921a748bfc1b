import ArgumentParser
import UserText
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

        Exit status: 0 success (also when the reader of standard output closed it early); 1 the command \
        failed while running (a file that cannot be read or written, an existing output without -y); 64 the \
        command line is wrong (a bad value, an output that would overwrite an input or another output); 130 \
        and 143 interrupted by SIGINT (Ctrl-C) and SIGTERM, after finalising the outputs.
        """,
        subcommands: [SegmentCommand.self, ImageCommand.self, TokenizeCommand.self, DevicesCommand.self, BenchCommand.self]
    )

    /// First of all (nothing read, written or started yet): re-executes once when the math libraries
    /// need settings they read only at load time (see `StartupRelaunch`). Then parses and runs the command,
    /// and turns what it throws into one line on standard error and the documented exit status.
    static func main() async {
        StartupRelaunch.performIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(reporting: error)
        }
    }

    /// Prints what `error` says (help and usage text as the argument parser renders them; `Error: <message>`
    /// for a failure) with control characters escaped line by line, and exits with its status.
    static func exit(reporting error: Error) -> Never {
        let status: Int32
        let text: String
        if let failure = error as? CommandFailure {
            status = failure.exitCode
            text = "Error: " + failure.message
        } else {
            status = exitCode(for: error).rawValue
            if status == 0 { exit(withError: error) }  // help requests print to standard output
            text = fullMessage(for: error)
        }
        if !text.isEmpty {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(\.escapingControlCharacters)
            StandardError.write(lines.joined(separator: "\n"))
        }
        Glibc.exit(status)
    }
}
