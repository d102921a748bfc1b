import ArgumentParser
import TensorKit
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
        Model: a Hugging Face CLIPSeg folder (config.json, preprocessor_config.json, model.safetensors, \
        vocab.json, merges.txt) or a hub id such as CIDAS/clipseg-rd64-refined found in the Hugging Face cache; \
        clipseg download fetches one.

        Exit status: 0 success (also when the reader of standard output closed it early); 1 the command \
        failed while running (a file that cannot be read or written, an existing output without -y); 64 the \
        command line is wrong (a bad value, an output that would overwrite an input or another output); 130 \
        and 143 interrupted by SIGINT (Ctrl-C) and SIGTERM, after finalising the outputs.
        """,
        subcommands: [SegmentCommand.self, ImageCommand.self, TokenizeCommand.self, DevicesCommand.self, BenchCommand.self,
                      DownloadCommand.self, ConcatCommand.self, BatchCommand.self]
    )

    @Flag(help: "Show the version, the build's git commit, the FFmpeg, OpenBLAS and oneDNN versions and the CPU features in use.")
    var version = false

    /// `clipseg --version` prints `VersionReport` (no model is loaded); `clipseg` alone prints the help.
    func run() async throws {
        guard version else { throw CleanExit.helpRequest(self) }
        try StandardOutput.write(VersionReport.text)
    }

    /// First of all (nothing read, written or started yet): arms the exit-time check of C stdio's standard
    /// output (`StandardOutputExitCheck`), and re-executes once when the math libraries need settings they
    /// read only at load time (see `StartupRelaunch`). Then parses and runs the command, and turns what it
    /// throws into one line on standard error and the documented exit status.
    static func main() async {
        StandardOutputExitCheck.install()
        StartupRelaunch.performIfNeeded()
        if let note = KernelISA.startupChoice.note { StandardError.write("clipseg: \(note)") }
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
    /// for a failure) with control characters escaped line by line, and exits with its status. Help asked
    /// for (status 0) is the command's output and goes to standard output through `StandardOutput`.
    static func exit(reporting error: Error) -> Never {
        let status: Int32
        let text: String
        if let failure = error as? CommandFailure {
            status = failure.exitCode
            text = "Error: " + failure.message
        } else {
            status = exitCode(for: error).rawValue
            if status == 0 { writeHelp(fullMessage(for: error)) }
            text = fullMessage(for: error)
        }
        if !text.isEmpty { StandardError.write(text) }  // control characters escaped line by line
        Glibc.exit(status)
    }

    /// Writes help text (`--help`, `help segment`) to standard output and exits 0; when that write fails,
    /// exits as `StandardOutput` says (1 with one line, or 0 silently when the reader closed the pipe).
    private static func writeHelp(_ text: String) -> Never {
        do {
            if !text.isEmpty { try StandardOutput.write(text + "\n") }
        } catch {
            exit(reporting: error)
        }
        Glibc.exit(0)
    }
}
