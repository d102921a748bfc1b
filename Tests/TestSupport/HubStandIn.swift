import Foundation

/// A stand-in for the Hugging Face hub on loopback, for download tests. The main port answers the revision
/// API (`/api/models/OWNER/NAME/revision/REV`) and `/OWNER/NAME/resolve/REV/FILE`; LFS files are redirected
/// (302) to a second port, as the hub redirects to its storage host, which serves byte ranges. A gated
/// repository answers 401 without `Authorization: Bearer <token>`. Tests can cut a file's first transfer
/// after some bytes, stall it (until `stop`), or serve other bytes than the listed hash; every request is
/// recorded.
public final class HubStandIn: @unchecked Sendable {
    /// One file of a repository: `content` is what the listing describes; `served` (if set) what is sent.
    public struct File: Sendable {
        public var path: String
        public var content: Data
        /// Set for files stored in LFS (listed with `lfs.sha256`, served from the storage port).
        public var sha256: String?
        /// Git's blob id (for an LFS file, the pointer's; any 40 hex digits will do).
        public var blobID: String
        public var served: Data?
        /// The size the listing gives, when it should not be `content`'s.
        public var listedSize: Int?

        public init(path: String, content: Data, sha256: String? = nil, blobID: String, served: Data? = nil,
                    listedSize: Int? = nil) {
            self.path = path
            self.content = content
            self.sha256 = sha256
            self.blobID = blobID
            self.served = served
            self.listedSize = listedSize
        }
    }

    public struct Repository: Sendable {
        public var commit: String
        public var files: [File]
        public var gated: Bool
        public init(commit: String, files: [File], gated: Bool = false) {
            self.commit = commit
            self.files = files
            self.gated = gated
        }
    }

    /// A request as it arrived: which port (`storage` for the LFS port), the path and headers.
    public struct Request: Sendable {
        public var storage: Bool
        public var path: String
        public var headers: [String: String]
    }

    public let token = "hf_standin_secret_token_0123456789"
    private let lock = NSLock()
    private var repositories: [String: Repository] = [:]
    private var cuts: [String: Int] = [:]
    private var stalls: [String: Int] = [:]
    private var recorded: [Request] = []
    private var stopped = false
    private var api: LoopbackHTTPServer!
    private var storage: LoopbackHTTPServer!

    public init() throws {
        api = try LoopbackHTTPServer { [unowned self] in self.answer($0, storage: false) }
        storage = try LoopbackHTTPServer { [unowned self] in self.answer($0, storage: true) }
    }

    /// `http://127.0.0.1:PORT`, for `HF_ENDPOINT`.
    public var endpoint: String { "http://127.0.0.1:\(api.port)" }
    public var storagePort: Int { storage.port }

    public func add(_ repository: String, _ content: Repository) { locked { repositories[repository] = content } }
    /// The next transfer of `sha256`'s file (or a git file's path) stops after `bytes` and closes the connection.
    public func cutOnce(_ file: String, after bytes: Int) { locked { cuts[file] = bytes } }
    /// Transfers of `file` send `bytes` and then wait, connection open, until `stop` or `release`.
    public func stall(_ file: String, after bytes: Int) { locked { stalls[file] = bytes } }
    public func release(_ file: String) { locked { _ = stalls.removeValue(forKey: file) } }
    public var requests: [Request] { locked { recorded } }

    public func stop() {
        locked { stopped = true }
        api.stop()
        storage.stop()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }

    private func answer(_ exchange: HTTPExchange, storage isStorage: Bool) {
        locked { recorded.append(Request(storage: isStorage, path: exchange.path, headers: exchange.headers)) }
        let parts = exchange.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if isStorage {
            // /lfs/<sha256>
            let file = locked { repositories.values.flatMap(\.files).first { "/lfs/\($0.sha256 ?? "")" == exchange.path } }
            guard let file else { return exchange.respond(status: 404) }
            return serve(file, key: file.sha256!, exchange)
        }
        if parts.count >= 7, parts[1] == "api", parts[2] == "models", parts[5] == "revision" {
            let name = "\(parts[3])/\(parts[4])", revision = parts[6...].joined(separator: "/")
            guard let repository = admitted(name, exchange) else { return }
            guard revision == "main" || revision == repository.commit else {
                return exchange.respond(status: 404, headers: ["X-Error-Code": "RevisionNotFound"])
            }
            return exchange.respond(status: 200, headers: ["Content-Type": "application/json"], body: listing(name, repository))
        }
        if parts.count >= 6, parts[3] == "resolve" {
            let name = "\(parts[1])/\(parts[2])", path = parts[5...].joined(separator: "/")
            guard let repository = admitted(name, exchange) else { return }
            guard parts[4] == repository.commit || parts[4] == "main",
                  let file = repository.files.first(where: { $0.path == path }) else {
                return exchange.respond(status: 404, headers: ["X-Error-Code": "EntryNotFound"])
            }
            if let sha256 = file.sha256 {
                return exchange.respond(status: 302, headers: ["Location": "http://127.0.0.1:\(storage.port)/lfs/\(sha256)",
                                                               "X-Linked-Etag": "\"\(sha256)\""])
            }
            return serve(file, key: file.path, exchange)
        }
        exchange.respond(status: 404)
    }

    /// The repository when it exists and the request may read it; otherwise answers 401 and returns nil.
    private func admitted(_ name: String, _ exchange: HTTPExchange) -> Repository? {
        guard let repository = locked({ repositories[name] }) else {
            exchange.respond(status: 401, headers: ["X-Error-Code": "RepositoryNotFound"])
            return nil
        }
        if repository.gated && exchange.headers["authorization"] != "Bearer \(token)" {
            exchange.respond(status: 401, headers: ["X-Error-Code": "GatedRepo",
                                                    "X-Error-Message": "Access to model \(name) is restricted."])
            return nil
        }
        return repository
    }

    private func listing(_ name: String, _ repository: Repository) -> Data {
        let siblings: [[String: Any]] = repository.files.map { file in
            let size = file.listedSize ?? file.content.count
            var sibling: [String: Any] = ["rfilename": file.path, "blobId": file.blobID, "size": size]
            if let sha256 = file.sha256 { sibling["lfs"] = ["sha256": sha256, "size": size, "pointerSize": 134] }
            return sibling
        }
        return try! JSONSerialization.data(withJSONObject: ["id": name, "sha": repository.commit, "siblings": siblings])
    }

    /// The file's bytes (or the requested range), cut or stalled as the test asked.
    private func serve(_ file: File, key: String, _ exchange: HTTPExchange) {
        let bytes = file.served ?? file.content
        var start = 0
        var status = 200
        var headers = ["ETag": "\"\(file.sha256 ?? file.blobID)\""]
        if let range = exchange.headers["range"], range.hasPrefix("bytes="), range.hasSuffix("-"),
           let first = Int(range.dropFirst(6).dropLast()) {
            guard first < bytes.count else {
                return exchange.respond(status: 416, headers: ["Content-Range": "bytes */\(bytes.count)"])
            }
            start = first
            status = 206
            headers["Content-Range"] = "bytes \(first)-\(bytes.count - 1)/\(bytes.count)"
        }
        let (cut, stall) = locked { () -> (Int?, Int?) in
            let cut = cuts.removeValue(forKey: key)
            return (cut, stalls[key])
        }
        guard exchange.writeHead(status: status, headers: headers, contentLength: bytes.count - start) else { return }
        let limit = [cut, stall].compactMap { $0 }.min().map { min(bytes.count, max(start, $0)) } ?? bytes.count
        var offset = start
        while offset < limit {  // in pieces, so the client sees progress
            let end = min(limit, offset + 65536)
            guard exchange.writeBody(bytes.subdata(in: offset..<end)) else { return }
            offset = end
        }
        if cut != nil || limit == bytes.count { return }
        // Stalled: wait until released or stopped, then send the rest.
        while locked({ !stopped && stalls[key] != nil }) { usleep(2000) }
        if locked({ stopped }) { return }
        exchange.writeBody(bytes.subdata(in: limit..<bytes.count))
    }
}
