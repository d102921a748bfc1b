import Foundation
import UserText

/// Why a hub model could not be found or fetched. Each case names the model, file or folder at fault; a token
/// is never part of any message.
public enum ModelHubError: Error, Equatable, CustomStringConvertible {
    /// `id` is in none of the caches searched (or only as a snapshot without a model in it).
    case notDownloaded(id: HubModelID, searched: [URL], incomplete: URL?)
    /// The hub answered `status` for `what` (the repository, a revision or a file).
    case refused(what: String, status: Int, reason: String)
    /// The connection failed (no route, DNS, TLS, cut and not resumable) while fetching `what`.
    case network(what: String, detail: String)
    /// `HF_ENDPOINT` (the hub's address) is not an http or https address.
    case badEndpoint(String)
    /// The hub's answer could not be understood.
    case badAnswer(what: String, detail: String)
    /// The revision lacks a file every CLIPSeg folder needs (`missing`: the configuration, or any weight file).
    case notAModel(id: HubModelID, commit: String, missing: String)
    /// `file`'s bytes do not hash to what the hub lists; they stay at `partial` only.
    case hashMismatch(file: String, expected: String, actual: String, partial: URL)
    /// `file` arrived with `received` bytes where the hub lists `expected`.
    case sizeMismatch(file: String, expected: Int64, received: Int64, partial: URL)
    /// Writing `path` failed: no space left on its device.
    case diskFull(path: URL, written: Int64, total: Int64?)
    /// `file` needs `needed` more bytes than the device of `folder` has free (`available`).
    case notEnoughSpace(file: String, needed: Int64, available: Int64, folder: URL)
    /// Another file-system error on `path`.
    case fileSystem(path: URL, detail: String)

    public var description: String {
        switch self {
        case let .notDownloaded(id, searched, incomplete):
            let places = searched.map(\.path.escapingControlCharactersAsCodePoints).joined(separator: " nor in ")
            let note = incomplete.map { "; the snapshot at \($0.path.escapingControlCharactersAsCodePoints) holds no model" } ?? ""
            return "\(id.description.escapingControlCharactersAsCodePoints) is not downloaded: not in \(places)\(note)"
        case let .refused(what, status, reason):
            return "the hub answered \(status) for \(what.escapingControlCharactersAsCodePoints): \(reason)"
        case let .network(what, detail):
            return "could not fetch \(what.escapingControlCharactersAsCodePoints): \(detail)"
        case let .badEndpoint(text):
            return "HF_ENDPOINT \(text.escapingControlCharactersAsCodePoints) is not an http:// or https:// address"
        case let .badAnswer(what, detail):
            return "the hub's answer for \(what.escapingControlCharactersAsCodePoints) cannot be read: \(detail)"
        case let .notAModel(id, commit, missing):
            return "\(id.repository) at \(commit) holds no \(missing)"
        case let .hashMismatch(file, expected, actual, partial):
            return "\(file.escapingControlCharactersAsCodePoints) is corrupt: its hash is \(actual), the hub lists "
                + "\(expected); it was not placed (the bytes stay in \(partial.path.escapingControlCharactersAsCodePoints), "
                + "downloaded again from the start next time)"
        case let .sizeMismatch(file, expected, received, partial):
            return "\(file.escapingControlCharactersAsCodePoints) arrived with \(received) bytes where the hub lists "
                + "\(expected); it was not placed (kept in \(partial.path.escapingControlCharactersAsCodePoints))"
        case let .diskFull(path, written, total):
            let progress = total.map { " after \(ByteCount.text(written)) of \(ByteCount.text($0))" } ?? ""
            return "no space left on the device of \(path.path.escapingControlCharactersAsCodePoints)\(progress); "
                + "free some space and run the download again to resume"
        case let .notEnoughSpace(file, needed, available, folder):
            return "\(file.escapingControlCharactersAsCodePoints) needs \(ByteCount.text(needed)) more and the device of "
                + "\(folder.path.escapingControlCharactersAsCodePoints) has \(ByteCount.text(available)) free; "
                + "free some space and run the download again"
        case let .fileSystem(path, detail):
            return "\(path.path.escapingControlCharactersAsCodePoints): \(detail)"
        }
    }
}
