import Foundation

/// A Hugging Face CLIPSeg model folder and the files the model reads from it:
/// `config.json`, `preprocessor_config.json`, the weights (`model.safetensors`, or PyTorch's
/// `pytorch_model.bin` when the folder has no safetensors file) and, for text prompts,
/// the tokenizer's `vocab.json` and `merges.txt`.
public struct ModelFolder: Sendable, Equatable {
    public let url: URL

    public init(url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var preprocessorConfiguration: URL { url.appendingPathComponent("preprocessor_config.json") }
    /// `model.safetensors`, else `pytorch_model.bin` when only that exists (a missing file is named as
    /// `model.safetensors`).
    public var weights: URL {
        let safetensors = url.appendingPathComponent("model.safetensors")
        let pytorch = url.appendingPathComponent("pytorch_model.bin")
        let manager = FileManager.default
        return !manager.fileExists(atPath: safetensors.path) && manager.fileExists(atPath: pytorch.path) ? pytorch : safetensors
    }
    public var vocabulary: URL { url.appendingPathComponent("vocab.json") }
    public var merges: URL { url.appendingPathComponent("merges.txt") }

    /// Throws `CLIPSegError.missingFile` naming the first of `files` that does not exist
    /// (or a missing-folder error when the folder itself is absent).
    public func requireFiles(_ files: [(url: URL, purpose: String)]) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIPSegError.invalidInput("model folder \(url.path) does not exist or is not a folder")
        }
        for file in files where !FileManager.default.fileExists(atPath: file.url.path) {
            throw CLIPSegError.missingFile(folder: url.path, file: file.url.lastPathComponent, purpose: file.purpose)
        }
    }

    /// Checks the files the model itself needs (configuration, preprocessing, weights).
    public func requireModelFiles() throws {
        try requireFiles([(configuration, "the model configuration"),
                          (preprocessorConfiguration, "the image preprocessing settings"),
                          (weights, "the weights; a pytorch_model.bin is read in its place")])
    }

    /// Checks the tokenizer files text prompts need.
    public func requireTokenizerFiles() throws {
        try requireFiles([(vocabulary, "the tokenizer vocabulary, needed for text prompts"),
                          (merges, "the tokenizer merges, needed for text prompts")])
    }
}
