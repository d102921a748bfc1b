import ArgumentParser
import Foundation
import ModelHub

/// What `--model` names and where it points when it is not given, and what to tell a user whose model is
/// missing. Shared by every subcommand that loads a model (`segment`, `image`, `tokenize`, `bench`).
///
/// A reference is a folder or a hub id `OWNER/NAME[@REVISION]` (`ModelReference`: a folder that exists wins;
/// an id is looked up in the Hugging Face cache, then in clipseg's `~/.cache/clipseg/hub`). Without `--model`:
/// `$CLIPSEG_MODEL` (a folder or an id), else the folder `~/.cache/clipseg/clipseg-rd64-refined` when it exists
/// (where earlier versions told users to download the model), else `CIDAS/clipseg-rd64-refined` from the caches.
enum ModelDirectoryDefault {
    static let environmentVariable = "CLIPSEG_MODEL"
    static let cacheSubpath = ".cache/clipseg/clipseg-rd64-refined"
    static let defaultID = HubModelID(owner: "CIDAS", name: "clipseg-rd64-refined")
    /// The files a model folder holds (the tokenizer files are needed for text prompts).
    static let requiredFiles = ["config.json", "preprocessor_config.json", "model.safetensors", "vocab.json", "merges.txt"]

    /// The command that puts `id` where `resolve` finds it.
    static func downloadCommand(_ id: HubModelID) -> String { "clipseg download \(id)" }

    static let help = ArgumentHelp(
        "The model: a folder, or a Hugging Face id OWNER/NAME[@REVISION] found in the Hugging Face cache "
            + "or clipseg's (see clipseg download).",
        discussion: "Default: $\(environmentVariable), else ~/\(cacheSubpath) if it exists, else \(defaultID) "
            + "from the caches.",
        valueName: "DIR|ID")

    static let hint = "pass --model DIR or OWNER/NAME, or set \(environmentVariable); without either, "
        + "\(defaultID) is looked up in the Hugging Face cache (\(downloadCommand(defaultID)) puts it there)"

    /// Where to get the model and what its folder needs, for a missing or incomplete folder.
    static let downloadHint = "download \(defaultID) with: \(downloadCommand(defaultID)) (or give --model a folder "
        + "holding " + requiredFiles.joined(separator: ", ") + ")"

    /// The folder `option`, else `$CLIPSEG_MODEL`, else the default names. Throws a run-time failure naming
    /// the download command for an id that is in no cache.
    static func resolve(_ option: String?) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let reference = ModelReference(environment: environment)
        if let option { return try resolve(option, from: "--model", reference) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try resolve(fromEnvironment, from: environmentVariable, reference)
        }
        let legacy = HubCache.homeFolder(environment).appendingPathComponent(cacheSubpath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: legacy.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return legacy
        }
        do {
            return try reference.folder(for: defaultID)
        } catch let error as ModelHubError {
            throw CommandFailure.runtime("no model given (--model or \(environmentVariable)) and \(error); "
                                         + "download it with: \(downloadCommand(defaultID))")
        }
    }

    private static func resolve(_ text: String, from source: String, _ reference: ModelReference) throws -> URL {
        do {
            return try reference.folder(for: text)
        } catch let error as ModelHubError {
            guard case .notDownloaded(let id, _, _) = error else { throw error }
            throw CommandFailure.runtime("\(source) \(text): no such folder, and \(error); "
                                         + "download it with: \(downloadCommand(id))")
        }
    }
}
