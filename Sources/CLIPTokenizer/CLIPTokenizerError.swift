import Foundation
import UserText

/// Why a CLIP tokenizer could not be loaded. Every case names the file (its path as given) and, where
/// there is one, the 1-based line; `description` is one line, fit for a command-line error message.
public enum CLIPTokenizerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file does not exist.
    case missingFile(path: String)
    /// The file exists but could not be read (a folder, no permission, an I/O error).
    case unreadableFile(path: String, reason: String)
    /// vocab.json is not a JSON object mapping tokens to distinct non-negative integer ids.
    case malformedVocabulary(path: String, line: Int, reason: String)
    /// vocab.json lacks a token the tokenizer cannot work without (a special token or a byte-level symbol).
    case missingToken(path: String, token: String)
    /// A merges.txt line is not `LEFT RIGHT`, or names a token vocab.json does not have.
    case malformedMerges(path: String, line: Int, reason: String)
    /// tokenizer_config.json is not valid JSON or has an unusable `model_max_length`.
    case malformedConfiguration(path: String, reason: String)
    /// The requested maximum length cannot hold the start and end tokens.
    case invalidMaxLength(Int)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read (\(reason))"
        case .malformedVocabulary(let path, let line, let reason):
            return "\(path) line \(line): \(reason)"
        case .missingToken(let path, let token):
            return "\(path): no entry for the token \(quoted(token))"
        case .malformedMerges(let path, let line, let reason):
            return "\(path) line \(line): \(reason)"
        case .malformedConfiguration(let path, let reason):
            return "\(path): \(reason)"
        case .invalidMaxLength(let length):
            return "maximum length \(length) is too small: it must hold the start and end tokens (at least 2)"
        }
    }

    public var errorDescription: String? { description }
}

/// `text` in double quotes with control characters, quotes and backslashes escaped, so a message stays on one
/// line (UserText's `quotedForMessage`).
func quoted(_ text: String) -> String { text.quotedForMessage }

/// `quoted` for a token read as raw UTF-8 bytes (invalid sequences shown as U+FFFD).
func quoted(_ bytes: some Collection<UInt8>) -> String {
    quoted(String(decoding: bytes, as: UTF8.self))
}
