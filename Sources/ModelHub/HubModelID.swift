/// A model on the Hugging Face hub as a user names it: `OWNER/NAME`, optionally `@REVISION` (a branch, a tag
/// or a 40-hex commit). Owner and name follow the hub's rules (letters, digits, `-`, `_`, `.`; at most 96;
/// no `--` or `..`; neither starting nor ending with `-` or `.`), so an id can never climb out of a cache
/// folder; a revision may hold `/` (`refs/pr/1`) but no empty, `.` or `..` part.
public struct HubModelID: Hashable, Sendable, CustomStringConvertible {
    public let owner: String
    public let name: String
    /// The revision asked for; nil means the default branch, `main`.
    public let revision: String?

    public init(owner: String, name: String, revision: String? = nil) {
        self.owner = owner
        self.name = name
        self.revision = revision
    }

    /// Parses `OWNER/NAME[@REVISION]`; nil for anything else (a path such as `./x`, `/x`, `a/b/c`).
    public init?(parsing text: String) {
        let (repository, revision) = Self.splitRevision(text)
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isValidPart(parts[0]), Self.isValidPart(parts[1]) else { return nil }
        if let revision, !Self.isValidRevision(revision) { return nil }
        self.init(owner: String(parts[0]), name: String(parts[1]), revision: revision)
    }

    /// `OWNER/NAME`, as the hub's URLs name the repository.
    public var repository: String { "\(owner)/\(name)" }

    /// The revision to ask the hub for: the one given, else `main`.
    public var revisionOrMain: String { revision ?? "main" }

    /// The id with `@REVISION` when one was given.
    public var description: String { revision.map { "\(repository)@\($0)" } ?? repository }

    /// The folder huggingface_hub keeps the repository in: `models--OWNER--NAME`.
    public var cacheFolderName: String { "models--\(owner)--\(name)" }

    /// True for a 40-hex revision: a commit, which names a snapshot directly.
    public static func isCommit(_ revision: String) -> Bool {
        revision.utf8.count == 40 && revision.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    private static func splitRevision(_ text: String) -> (Substring, String?) {
        guard let at = text.firstIndex(of: "@") else { return (Substring(text), nil) }
        return (text[..<at], String(text[text.index(after: at)...]))
    }

    private static func isValidPart(_ part: Substring) -> Bool {
        guard (1...96).contains(part.count), !part.contains("--"), !part.contains("..") else { return false }
        guard let first = part.first, let last = part.last, !"-.".contains(first), !"-.".contains(last) else { return false }
        return part.unicodeScalars.allSatisfy(isNameScalar)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
    }

    /// A branch, tag or commit: name characters and `/` between non-empty parts other than `.` and `..`.
    public static func isValidRevision(_ revision: String) -> Bool {
        let parts = revision.split(separator: "/", omittingEmptySubsequences: false)
        return !revision.isEmpty && revision.count <= 256 && parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.unicodeScalars.allSatisfy(isNameScalar)
        }
    }
}
