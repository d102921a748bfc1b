import Foundation

/// One revision of a model repository as the hub's API lists it
/// (`GET {endpoint}/api/models/OWNER/NAME/revision/REV?blobs=true`): the commit it resolves to and its files.
public struct HubRevision: Sendable, Equatable {
    /// One file of the revision. `size` is the file's own size (for an LFS file, the object's, not the
    /// pointer's); `sha256` is set for LFS files; `blobID` is git's blob id (for LFS files, the pointer's).
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: Int64?
        public var blobID: String?
        public var sha256: String?

        public init(path: String, size: Int64? = nil, blobID: String? = nil, sha256: String? = nil) {
            self.path = path
            self.size = size
            self.blobID = blobID
            self.sha256 = sha256
        }

        /// The name huggingface_hub gives the file's blob: the LFS sha256, else the git blob id.
        public var blobName: String? { sha256 ?? blobID }
    }

    /// The 40-hex commit the revision points to.
    public var commit: String
    public var files: [File]

    public init(commit: String, files: [File]) {
        self.commit = commit
        self.files = files
    }

    /// Reads the API's JSON: `sha`, and `siblings` as `[{rfilename, size?, blobId?, lfs?: {sha256, size}}]`.
    /// `what` names the request in errors.
    public init(json: Data, what: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ModelHubError.badAnswer(what: what, detail: "not a JSON object")
        }
        guard let commit = object["sha"] as? String, HubModelID.isCommit(commit) else {
            throw ModelHubError.badAnswer(what: what, detail: "no 40-hex \"sha\"")
        }
        guard let siblings = object["siblings"] as? [[String: Any]] else {
            throw ModelHubError.badAnswer(what: what, detail: "no \"siblings\" list")
        }
        var files: [File] = []
        for sibling in siblings {
            guard let path = sibling["rfilename"] as? String else {
                throw ModelHubError.badAnswer(what: what, detail: "a sibling without \"rfilename\"")
            }
            let lfs = sibling["lfs"] as? [String: Any]
            let sha256 = (lfs?["sha256"] as? String)?.lowercased()
            if let sha256, !Self.isHex(sha256, length: 64) {
                throw ModelHubError.badAnswer(what: what, detail: "the sha256 of \(path) is not 64 hex digits")
            }
            let blobID = (sibling["blobId"] as? String)?.lowercased()
            if let blobID, !Self.isHex(blobID, length: 40) {
                throw ModelHubError.badAnswer(what: what, detail: "the blobId of \(path) is not 40 hex digits")
            }
            let size = Self.integer(lfs?["size"]) ?? Self.integer(sibling["size"])
            if let size, size < 0 { throw ModelHubError.badAnswer(what: what, detail: "a negative size for \(path)") }
            files.append(File(path: path, size: size, blobID: blobID, sha256: sha256))
        }
        self.init(commit: commit, files: files)
    }

    private static func integer(_ value: Any?) -> Int64? {
        (value as? NSNumber).map { $0.int64Value }
    }

    private static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The files a CLIPSeg model folder needs, as listed here: the configuration, preprocessing and tokenizer
    /// files that exist, and `model.safetensors`, else `pytorch_model.bin`. Throws `notAModel` without
    /// `config.json` or without either weight file.
    public func clipsegFiles(id: HubModelID) throws -> [File] {
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        guard byPath[ModelReference.configurationFile] != nil else {
            throw ModelHubError.notAModel(id: id, commit: commit, missing: ModelReference.configurationFile)
        }
        guard let weights = ModelReference.weightFiles.lazy.compactMap({ byPath[$0] }).first else {
            throw ModelHubError.notAModel(id: id, commit: commit, missing: ModelReference.weightFiles.joined(separator: " or "))
        }
        return Self.supportFiles.compactMap { byPath[$0] } + [weights]
    }

    /// The small files of a CLIPSeg folder, fetched when the revision has them.
    public static let supportFiles = ["config.json", "preprocessor_config.json", "tokenizer_config.json",
                                      "special_tokens_map.json", "vocab.json", "merges.txt"]
}
