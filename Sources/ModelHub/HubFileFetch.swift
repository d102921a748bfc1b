import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One file of a revision fetched into its partial file (`….incomplete`), resumed with `Range` from what
/// the partial already holds (across runs, and within a run when the connection is cut), then checked: the
/// size the hub lists, and the LFS sha256 (or, for a file kept in git, its git blob id). The partial is only
/// ever renamed into place by the caller once `run` returns; a failure leaves it where it is.
struct HubFileFetch {
    let url: URL
    let headers: [String: String]
    let file: HubRevision.File
    let partial: URL
    let events: (ModelDownload.Event) -> Void

    /// How many times a cut connection is resumed within one run before giving up.
    static let attempts = 5

    /// Downloads and verifies; returns the file's sha256 (hex).
    func run() throws -> String {
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fileError(errno, written: 0) }
        defer { close(descriptor) }
        var have = Self.size(of: descriptor)
        if let size = file.size, have > size { try truncate(descriptor); have = 0 }
        if let size = file.size, have == size, size > 0 {
            if let digest = try? verify() { return digest }
            events(.note("\(file.path): the partial download from an earlier run is corrupt; downloading it again"))
            try truncate(descriptor)
            have = 0
        }
        if let size = file.size, let available = Self.freeBytes(partial.deletingLastPathComponent()), size - have > available {
            throw ModelHubError.notEnoughSpace(file: file.path, needed: size - have, available: available,
                                               folder: partial.deletingLastPathComponent())
        }
        events(.fileStarted(path: file.path, size: file.size, resumedAt: have))
        var failures = 0
        while true {
            let before = Self.size(of: descriptor)
            let outcome = HTTPTransfer.get(url, headers: headers, sink: .file(descriptor: descriptor, offset: before)) { bytes in
                events(.progress(path: file.path, bytes: bytes, total: file.size))
            }
            if let code = outcome.writeErrno { throw fileError(code, written: outcome.fileSize) }
            // Nothing left to send: the partial is whole (checked below against the size and hash).
            if outcome.status == 416 && (file.size == nil ? before > 0 : before == file.size) { break }
            if let reason = outcome.protocolError {
                try truncate(descriptor)
                failures += 1
                if failures >= Self.attempts { throw ModelHubError.badAnswer(what: file.path, detail: reason) }
                continue
            }
            if outcome.status != 0 && outcome.status != 200 && outcome.status != 206 {
                throw HubAnswer.refusal(what: file.path, outcome: outcome, sentToken: headers["Authorization"] != nil)
            }
            if let size = file.size, outcome.fileSize > size {
                throw ModelHubError.sizeMismatch(file: file.path, expected: size, received: outcome.fileSize, partial: partial)
            }
            let complete = outcome.transportError == nil && (file.size.map { outcome.fileSize == $0 } ?? true)
            if complete { break }
            if outcome.fileSize <= before { failures += 1 }
            if failures >= Self.attempts || (outcome.status == 0 && outcome.fileSize == 0) {
                throw ModelHubError.network(what: "\(file.path) from \(url.host ?? "the hub")",
                                            detail: (outcome.transportError ?? "the connection closed early")
                                                + "; \(ByteCount.text(outcome.fileSize)) kept in the partial file, "
                                                + "run the download again to resume")
            }
            events(.note("\(file.path): the connection ended after \(ByteCount.text(outcome.fileSize)); resuming"))
            if outcome.fileSize <= before { sleep(UInt32(failures)) }  // nothing came: give the network a moment
        }
        let received = Self.size(of: descriptor)
        if let size = file.size, received != size {
            throw ModelHubError.sizeMismatch(file: file.path, expected: size, received: received, partial: partial)
        }
        return try verify()
    }

    /// Hashes the partial; throws `hashMismatch` when it is not what the hub lists.
    func verify() throws -> String {
        events(.verifying(path: file.path))
        var sha256 = SHA256()
        var gitBlob = file.sha256 == nil && file.blobID != nil ? GitBlobSHA1(size: Self.fileSize(partial)) : nil
        let descriptor = open(partial.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw fileError(errno, written: 0) }
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw fileError(errno, written: 0) }
            if count == 0 { break }
            chunk.withUnsafeBytes { raw in
                let piece = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                sha256.update(buffer: piece)
                gitBlob?.update(buffer: piece)
            }
        }
        let digest = sha256.finalize().hexDigits
        if let expected = file.sha256, expected != digest {
            throw ModelHubError.hashMismatch(file: file.path, expected: expected, actual: digest, partial: partial)
        }
        if let expected = file.blobID, var gitBlob {
            let actual = gitBlob.finalizeHex()
            if actual != expected {
                throw ModelHubError.hashMismatch(file: file.path, expected: expected, actual: actual, partial: partial)
            }
        }
        return digest
    }

    private func truncate(_ descriptor: Int32) throws {
        if ftruncate(descriptor, 0) != 0 { throw fileError(errno, written: 0) }
    }

    private func fileError(_ code: Int32, written: Int64) -> ModelHubError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: partial, written: written, total: file.size) }
        return .fileSystem(path: partial, detail: String(cString: strerror(code)))
    }

    private static func size(of descriptor: Int32) -> Int64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// What an unprivileged process may still write on the device holding `folder` (nil if unknown).
    private static func freeBytes(_ folder: URL) -> Int64? {
        var status = statvfs()
        guard statvfs(folder.path, &status) == 0 else { return nil }
        let (bytes, overflow) = Int64(status.f_bavail).multipliedReportingOverflow(by: Int64(status.f_frsize))
        return overflow ? nil : bytes
    }

    private static func fileSize(_ url: URL) -> Int64 {
        var status = stat()
        return stat(url.path, &status) == 0 ? Int64(status.st_size) : 0
    }
}
