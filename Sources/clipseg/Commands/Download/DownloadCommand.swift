import ArgumentParser
import Foundation
import ModelHub
#if canImport(Glibc)
import Glibc
#endif

/// `clipseg download [OWNER/NAME[@REV]] [--revision REV] [--to DIR | --cache-dir DIR] [--token TOKEN]`: fetches
/// the files a CLIPSeg folder needs from the Hugging Face hub into the Hugging Face cache (where Python finds
/// them too, and where `--model OWNER/NAME` looks first), or into a plain folder. Prints the model folder.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a CLIPSeg model from the Hugging Face hub (default CIDAS/clipseg-rd64-refined).",
        discussion: """
        Fetches config.json, preprocessor_config.json, the tokenizer files and model.safetensors (else \
        pytorch_model.bin) of one revision, checks each against the hub's sha256 (or git blob id) before \
        placing it, and prints the model folder on standard output. Without --to the files go into the \
        Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) in \
        huggingface_hub's layout, so Python finds them too and --model OWNER/NAME finds them. An interrupted \
        download (Ctrl-C, a lost connection) is resumed by running the same command again. \
        $HF_ENDPOINT names a mirror; $HF_TOKEN (or --token) is sent for gated and private repositories and \
        never printed. Exit status: 0 done, 1 network, hash or disk error, 64 bad arguments, 130 interrupted.
        """
    )

    @Argument(help: ArgumentHelp("The model's hub id, optionally with @REVISION.", valueName: "OWNER/NAME"))
    var id: String = ModelDirectoryDefault.defaultID.description

    @Option(help: ArgumentHelp("Branch, tag or commit to download (default: main).", valueName: "REV"))
    var revision: String?

    @Option(help: ArgumentHelp("Write a plain model folder here instead of the Hugging Face cache (files already there "
                               + "are kept when they match the hub's hash, replaced otherwise).", valueName: "DIR"))
    var to: String?

    @Option(help: ArgumentHelp("Use this cache folder (huggingface_hub's layout) instead of the Hugging Face cache; "
                               + "~/.cache/clipseg/hub is searched by --model after the Hugging Face cache.",
                               valueName: "DIR"))
    var cacheDir: String?

    @Option(help: ArgumentHelp("Access token for gated or private repositories (default: $HF_TOKEN).", valueName: "TOKEN"))
    var token: String?

    @Flag(help: "Print errors only (and the folder).")
    var quiet = false

    func validate() throws {
        guard let parsed = HubModelID(parsing: id) else {
            throw ValidationError("\(id) is not a hub id: give OWNER/NAME or OWNER/NAME@REVISION")
        }
        if let revision {
            guard HubModelID.isValidRevision(revision) else { throw ValidationError("--revision \(revision) is not a revision name") }
            if let given = parsed.revision, given != revision {
                throw ValidationError("\(id) names revision \(given) and --revision says \(revision)")
            }
        }
        if to != nil && cacheDir != nil { throw ValidationError("--to and --cache-dir exclude each other") }
        if let to, to.isEmpty { throw ValidationError("--to needs a folder") }
        if let cacheDir, cacheDir.isEmpty { throw ValidationError("--cache-dir needs a folder") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let parsed = HubModelID(parsing: id)!
        let model = HubModelID(owner: parsed.owner, name: parsed.name, revision: revision ?? parsed.revision)
        let server: HubServer
        do {
            server = try HubServer(environment: environment, explicitToken: token)
        } catch let error as ModelHubError {
            throw CommandFailure.usage(error.description)
        }
        let destination: ModelDownload.Destination
        if let to {
            destination = .folder(URL(fileURLWithPath: to))
        } else if let cacheDir {
            destination = .cache(HubCache(root: URL(fileURLWithPath: cacheDir)))
        } else {
            destination = .cache(.huggingFace(environment: environment))
        }
        let progress = DownloadProgress(quiet: quiet, onTerminal: isatty(STDERR_FILENO) != 0)
        let signals = InterruptHandler { _, exitCode in
            progress.interrupted()
            _exit(exitCode)
        }
        defer { withExtendedLifetime(signals) {} }
        let folder: URL
        do {
            folder = try ModelDownload(id: model, server: server, destination: destination).run(events: progress.show)
        } catch let error as ModelHubError {
            progress.failed()
            throw CommandFailure.runtime(error.description)
        }
        progress.finished(model: model, folder: folder)
        try StandardOutput.write(folder.path + "\n")
    }
}
