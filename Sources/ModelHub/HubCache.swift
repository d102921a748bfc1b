import Foundation

/// A cache folder in huggingface_hub's layout: `models--OWNER--NAME/` holding `blobs/<sha256 or git blob id>`
/// (the files), `snapshots/<commit>/<file>` (relative links to `../../blobs/…`) and `refs/<revision>` (a
/// file holding the commit the revision pointed to). Python's huggingface_hub reads and writes the same layout.
public struct HubCache: Sendable, Equatable {
    /// The folder holding the `models--…` folders.
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The cache huggingface_hub uses: `$HF_HUB_CACHE` (or the older `$HUGGINGFACE_HUB_CACHE`), else
    /// `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
    public static func huggingFace(environment: [String: String]) -> HubCache {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : expandingTilde($0, environment) } }
        if let hub = value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") { return HubCache(root: URL(fileURLWithPath: hub)) }
        if let home = value("HF_HOME") { return HubCache(root: URL(fileURLWithPath: home).appendingPathComponent("hub")) }
        if let xdg = value("XDG_CACHE_HOME") {
            return HubCache(root: URL(fileURLWithPath: xdg).appendingPathComponent("huggingface/hub"))
        }
        return HubCache(root: homeFolder(environment).appendingPathComponent(".cache/huggingface/hub"))
    }

    /// clipseg's own cache, same layout: `~/.cache/clipseg/hub`.
    public static func clipseg(environment: [String: String]) -> HubCache {
        HubCache(root: homeFolder(environment).appendingPathComponent(".cache/clipseg/hub"))
    }

    /// `$HOME`, else the account's home folder.
    public static func homeFolder(_ environment: [String: String]) -> URL {
        URL(fileURLWithPath: environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory())
    }

    private static func expandingTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return homeFolder(environment).path + path.dropFirst()
    }

    public func repositoryFolder(_ id: HubModelID) -> URL { root.appendingPathComponent(id.cacheFolderName) }
    public func blobsFolder(_ id: HubModelID) -> URL { repositoryFolder(id).appendingPathComponent("blobs") }
    public func snapshotFolder(_ id: HubModelID, commit: String) -> URL {
        repositoryFolder(id).appendingPathComponent("snapshots").appendingPathComponent(commit)
    }
    public func refFile(_ id: HubModelID, revision: String) -> URL {
        repositoryFolder(id).appendingPathComponent("refs").appendingPathComponent(revision)
    }

    /// The commit `id`'s revision names here: the revision itself when it is a commit, else what
    /// `refs/<revision>` holds (nil when the ref is missing or does not hold a commit).
    public func commit(for id: HubModelID) -> String? {
        let revision = id.revisionOrMain
        if HubModelID.isCommit(revision) { return revision }
        guard let data = FileManager.default.contents(atPath: refFile(id, revision: revision).path) else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return HubModelID.isCommit(commit) ? commit : nil
    }

    /// The snapshot folder of `id`'s revision, when the ref (or commit) leads to one that exists.
    public func snapshot(for id: HubModelID) -> URL? {
        guard let commit = commit(for: id) else { return nil }
        let folder = snapshotFolder(id, commit: commit)
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? folder : nil
    }
}
