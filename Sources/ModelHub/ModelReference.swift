import Foundation

/// What a model reference (a folder, or a hub id `OWNER/NAME[@REVISION]`) resolves to: a folder that exists
/// always wins; an id is looked up in each cache in order (the Hugging Face cache, then clipseg's) and resolves
/// to the first snapshot that holds a model (`config.json` and `model.safetensors` or `pytorch_model.bin`);
/// anything else stays the path it names (the caller reports it missing).
public struct ModelReference: Sendable {
    /// The caches searched for an id, in order.
    public let caches: [HubCache]

    public init(caches: [HubCache]) { self.caches = caches }

    /// The Hugging Face cache, then clipseg's own (see `HubCache`).
    public init(environment: [String: String]) {
        self.init(caches: [.huggingFace(environment: environment), .clipseg(environment: environment)])
    }

    /// The files a snapshot must hold to count as a model: this, and one of `weightFiles`.
    public static let configurationFile = "config.json"
    /// The weight files a model folder may hold, preferred first.
    public static let weightFiles = ["model.safetensors", "pytorch_model.bin"]

    /// The folder `reference` names. Throws `ModelHubError.notDownloaded` for an id (that is no existing path)
    /// found in no cache.
    public func folder(for reference: String) throws -> URL {
        if FileManager.default.fileExists(atPath: reference) { return URL(fileURLWithPath: reference) }
        guard let id = HubModelID(parsing: reference) else { return URL(fileURLWithPath: reference) }
        return try folder(for: id)
    }

    /// The first complete snapshot of `id` in `caches`.
    public func folder(for id: HubModelID) throws -> URL {
        var incomplete: URL?
        for cache in caches {
            guard let snapshot = cache.snapshot(for: id) else { continue }
            if Self.holdsModel(snapshot) { return snapshot }
            incomplete = incomplete ?? snapshot
        }
        throw ModelHubError.notDownloaded(id: id, searched: caches.map(\.root), incomplete: incomplete)
    }

    /// True when `folder` holds the configuration and a weight file (links followed).
    public static func holdsModel(_ folder: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: folder.appendingPathComponent(configurationFile).path)
            && weightFiles.contains { manager.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }
}
