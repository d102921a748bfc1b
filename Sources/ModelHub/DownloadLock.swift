import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on a lock file for the time one blob is fetched and placed. In a cache it is the
/// lock huggingface_hub takes for the same blob (`<cache>/.locks/models--OWNER--NAME/<blob>.lock`, through the
/// `filelock` package, which uses `flock` on Linux), so two downloads of one file, from clipseg or Python,
/// take turns instead of writing one partial file together. Released by `release()` or when the process ends.
struct DownloadLock {
    private let descriptor: Int32

    /// Takes the lock, calling `waiting` once if another process holds it and then waiting for it.
    init(path: URL, waiting: () -> Void) throws {
        try ModelDownload.createFolder(path.deletingLastPathComponent())
        descriptor = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ModelHubError.fileSystem(path: path, detail: String(cString: strerror(errno))) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return }
        guard errno == EWOULDBLOCK else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw ModelHubError.fileSystem(path: path, detail: reason)
        }
        waiting()
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw ModelHubError.fileSystem(path: path, detail: reason)
            }
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
