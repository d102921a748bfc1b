import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fetches the files a CLIPSeg folder needs from one revision of a hub repository, either into a cache in
/// huggingface_hub's layout (`HubCache`: blobs by hash, snapshot links, refs; Python's huggingface_hub finds
/// the model there too) or into a plain folder. Files already in place are kept; partial files
/// (`blobs/<name>.incomplete`, or `<folder>/.clipseg-download/<name>.incomplete`) are resumed; every file is
/// checked against the hub's hash before it is placed.
public struct ModelDownload: Sendable {
    public enum Destination: Sendable, Equatable {
        case cache(HubCache)
        case folder(URL)
    }

    /// What happens, in order, for a progress display.
    public enum Event: Sendable {
        case revision(commit: String, files: [HubRevision.File])
        case fileStarted(path: String, size: Int64?, resumedAt: Int64)
        /// `bytes` of `total` are in the partial file.
        case progress(path: String, bytes: Int64, total: Int64?)
        case verifying(path: String)
        /// The file is in place; `fetched` is false when it was there already.
        case fileFinished(path: String, size: Int64, fetched: Bool)
        case note(String)
    }

    public let id: HubModelID
    public let server: HubServer
    public let destination: Destination

    public init(id: HubModelID, server: HubServer, destination: Destination) {
        self.id = id
        self.server = server
        self.destination = destination
    }

    /// Runs the download; returns the model folder (the snapshot, or the plain folder).
    public func run(events: @escaping (Event) -> Void) throws -> URL {
        let revision = try fetchRevision()
        let files = try revision.clipsegFiles(id: id)
        events(.revision(commit: revision.commit, files: files))
        let folder: URL
        switch destination {
        case .cache(let cache): folder = cache.snapshotFolder(id, commit: revision.commit)
        case .folder(let plain): folder = plain
        }
        try Self.createFolder(folder)
        for file in files {
            try fetch(file, commit: revision.commit, into: folder, events: events)
        }
        if case .cache(let cache) = destination, !HubModelID.isCommit(id.revisionOrMain) {
            let ref = cache.refFile(id, revision: id.revisionOrMain)
            try Self.createFolder(ref.deletingLastPathComponent())
            try Self.replace(ref) { try Data(revision.commit.utf8).write(to: $0) }
        }
        if case .folder(let plain) = destination {
            // The lock files go; the folder too unless it still holds another revision's partial files.
            let partials = plain.appendingPathComponent(Self.partialFolderName)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: partials.path)) ?? [] where name.hasSuffix(".lock") {
                unlink(partials.appendingPathComponent(name).path)
            }
            rmdir(partials.path)
        }
        return folder
    }

    /// The revision's commit and file list from the hub's API.
    public func fetchRevision() throws -> HubRevision {
        let what = "\(id.repository) revision \(id.revisionOrMain)"
        let outcome = HTTPTransfer.get(server.revisionURL(id), headers: server.headers(), sink: .memory(limit: 16 << 20))
        if let error = outcome.transportError {
            throw ModelHubError.network(what: "\(what) from \(server.endpoint.host ?? "the hub")", detail: error)
        }
        if let error = outcome.protocolError { throw ModelHubError.badAnswer(what: what, detail: error) }
        guard outcome.status == 200 else {
            throw HubAnswer.refusal(what: what, outcome: outcome, sentToken: server.hasToken)
        }
        return try HubRevision(json: outcome.body, what: what)
    }

    static let partialFolderName = ".clipseg-download"

    private func fetch(_ file: HubRevision.File, commit: String, into folder: URL,
                       events: @escaping (Event) -> Void) throws {
        let target = folder.appendingPathComponent(file.path)
        let manager = FileManager.default
        let url = server.fileURL(id, commit: commit, path: file.path)
        let partialName = (file.blobName ?? "\(commit).\(file.path.replacingOccurrences(of: "/", with: "_"))") + ".incomplete"
        switch destination {
        case .cache(let cache):
            let blobs = cache.blobsFolder(id)
            if manager.fileExists(atPath: target.path) {
                events(.fileFinished(path: file.path, size: Self.size(target), fetched: false))
                return
            }
            try Self.createFolder(blobs)
            try Self.createFolder(target.deletingLastPathComponent())
            var blobName = file.blobName
            let lock = try DownloadLock(path: cache.root.appendingPathComponent(".locks/\(id.cacheFolderName)/"
                                                                              + (blobName ?? partialName) + ".lock")) {
                events(.note("\(file.path): another download of this file is running; waiting for it"))
            }
            defer { lock.release() }
            if blobName == nil || !manager.fileExists(atPath: blobs.appendingPathComponent(blobName!).path) {
                let partial = blobs.appendingPathComponent(partialName)
                let digest = try HubFileFetch(url: url, headers: server.headers(), file: file, partial: partial, events: events).run()
                blobName = blobName ?? digest
                try Self.rename(partial, to: blobs.appendingPathComponent(blobName!))
            }
            let depth = file.path.split(separator: "/").count - 1
            let link = String(repeating: "../", count: depth + 2) + "blobs/" + blobName!
            try Self.replace(target) { try manager.createSymbolicLink(atPath: $0.path, withDestinationPath: link) }
        case .folder:
            try Self.createFolder(target.deletingLastPathComponent())
            let partials = folder.appendingPathComponent(Self.partialFolderName)
            try Self.createFolder(partials)
            let partial = partials.appendingPathComponent(partialName)
            let lock = try DownloadLock(path: partials.appendingPathComponent(partialName + ".lock")) {
                events(.note("\(file.path): another download of this file is running; waiting for it"))
            }
            defer { lock.release() }
            if manager.fileExists(atPath: target.path), Self.size(target) == file.size ?? -1,
               (try? HubFileFetch(url: url, headers: [:], file: file, partial: target, events: { _ in }).verify()) != nil {
                events(.fileFinished(path: file.path, size: Self.size(target), fetched: false))
                return
            }
            _ = try HubFileFetch(url: url, headers: server.headers(), file: file, partial: partial, events: events).run()
            try Self.rename(partial, to: target)
        }
        events(.fileFinished(path: file.path, size: Self.size(target), fetched: true))
    }

    static func size(_ url: URL) -> Int64 {
        var status = stat()
        return stat(url.path, &status) == 0 ? Int64(status.st_size) : 0
    }

    static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ModelHubError.fileSystem(path: url, detail: "cannot create the folder (\(Self.reason(error)))")
        }
    }

    static func rename(_ from: URL, to: URL) throws {
        if Glibc.rename(from.path, to.path) != 0 {
            throw ModelHubError.fileSystem(path: to, detail: String(cString: strerror(errno)))
        }
    }

    /// Makes `target` anew through a temporary name next to it, renamed over the old one.
    static func replace(_ target: URL, make: (URL) throws -> Void) throws {
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        do {
            try make(temporary)
        } catch {
            throw ModelHubError.fileSystem(path: target, detail: Self.reason(error))
        }
        try rename(temporary, to: target)
    }

    private static func reason(_ error: Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return (error as NSError).localizedDescription
    }
}
