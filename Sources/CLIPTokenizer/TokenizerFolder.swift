import Foundation

/// The tokenizer files of a Hugging Face CLIP/CLIPSeg model folder: vocab.json, merges.txt and the optional
/// tokenizer_config.json.
struct TokenizerFolder {
    static let vocabularyFileName = "vocab.json"
    static let mergesFileName = "merges.txt"
    static let configurationFileName = "tokenizer_config.json"

    /// transformers writes a huge `model_max_length` (int(1e30)) when a tokenizer has no limit of its own;
    /// values above this are read as "not set", leaving CLIP's 77.
    static let largestMeaningfulMaxLength = 1 << 20

    let directory: URL

    init(_ directory: URL) {
        self.directory = directory
    }

    /// `directory/name`, or `missingFile` when it does not exist.
    func existingFile(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIPTokenizerError.missingFile(path: url.path)
        }
        return url
    }

    /// tokenizer_config.json's `model_max_length`; nil when the file or the key is absent or the value means
    /// "no limit". Throws when the file is not a JSON object or the value is not an integer ≥ 2.
    func modelMaxLength() throws -> Int? {
        let url = directory.appendingPathComponent(Self.configurationFileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let path = url.path
        let contents = try readFile(url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contents))
        } catch {
            throw CLIPTokenizerError.malformedConfiguration(path: path, reason: "not valid JSON")
        }
        guard let settings = object as? [String: Any] else {
            throw CLIPTokenizerError.malformedConfiguration(path: path, reason: "not a JSON object")
        }
        guard let value = settings["model_max_length"], !(value is NSNull) else { return nil }
        let number = (value as? NSNumber)?.doubleValue ?? .nan
        guard number.isFinite, number >= 2, number.rounded() == number else {
            throw CLIPTokenizerError.malformedConfiguration(
                path: path, reason: "model_max_length must be an integer of at least 2, found \(value)")
        }
        return number > Double(Self.largestMeaningfulMaxLength) ? nil : Int(number)
    }
}
