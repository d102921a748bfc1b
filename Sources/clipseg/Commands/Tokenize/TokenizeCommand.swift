import ArgumentParser
import CLIPTokenizer
import Foundation

/// `clipseg tokenize [--model DIR] TEXT ...`: prints, for each TEXT, one line with the JSON array of its CLIP
/// token ids, start and end tokens included, truncated to the model's maximum length, no padding.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of each TEXT, one JSON array per line.",
        discussion: """
        The ids are what the model sees for a text prompt: <|startoftext|> (49406), the byte-level BPE ids \
        of the lower-cased text, <|endoftext|> (49407), at most 77 in all, no padding. \
        Example: clipseg tokenize "red circle" prints [49406,736,7117,49407].
        """
    )

    @Option(help: ModelDirectoryDefault.help)
    var model: String?

    @Argument(help: ArgumentHelp("Text to tokenize; one output line each. Put -- before a TEXT that starts with -.",
                                 valueName: "TEXT"))
    var texts: [String]

    func run() throws {
        let directory = try ModelDirectoryDefault.resolve(model)
        let tokenizer: CLIPTokenizer
        do {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
                  isDirectory.boolValue else {
                throw CommandFailure.runtime("no model folder at \(directory.path) (\(ModelDirectoryDefault.hint))")
            }
            tokenizer = try CLIPTokenizer(directory: directory)
        } catch let error as CLIPTokenizerError {
            switch error {
            case .missingFile:
                throw CommandFailure.runtime("\(error.description) (\(ModelDirectoryDefault.hint))")
            default:
                throw CommandFailure.runtime(error.description)
            }
        }
        var output = ""
        for text in texts {
            output += "[" + tokenizer.encode(text).map(String.init).joined(separator: ",") + "]\n"
        }
        try StandardOutput.write(output)
    }
}
