import Foundation

/// Where `--model` points when it is not given, and what to tell a user whose model folder is missing.
/// Shared by every subcommand that loads a model (`segment`, `image`, `tokenize`, `bench`).
enum ModelDirectoryDefault {
    static let environmentVariable = "CLIPSEG_MODEL"
    static let cacheSubpath = ".cache/clipseg/clipseg-rd64-refined"
    /// The files a model folder holds (the tokenizer files are needed for text prompts).
    static let requiredFiles = ["config.json", "preprocessor_config.json", "model.safetensors", "vocab.json", "merges.txt"]

    static let hint = "pass --model DIR or set \(environmentVariable) to a CLIPSeg model folder such as "
        + "CIDAS/clipseg-rd64-refined; without either, ~/\(cacheSubpath) is used"

    /// Where to get the model and what its folder needs, for a missing or incomplete folder.
    static let downloadHint = "download CIDAS/clipseg-rd64-refined from https://huggingface.co/CIDAS/clipseg-rd64-refined "
        + "into ~/\(cacheSubpath) (or any folder given with --model DIR or \(environmentVariable)); the folder needs "
        + requiredFiles.joined(separator: ", ")

    /// `option` if given, else `$CLIPSEG_MODEL` if set and not empty, else `~/.cache/clipseg/clipseg-rd64-refined`.
    static func resolve(_ option: String?) -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let option { return URL(fileURLWithPath: option) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(cacheSubpath)
    }
}
