import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output named on the command line (`-o`, `--masks`, `--stats`), noted before the run opens it, so
/// that what the run left there can be removed again when the run ends before any frame was written to
/// it (a signal during setup, a failed run, an input that decodes no frame): a header-only MP4 or y4m is
/// of no use and looks like a result.
///
/// Only what the run made is removed: a regular file (created, or truncated by opening it), or a folder
/// that was not there before and is still empty. Never standard output, a named pipe, a device, or a
/// folder that already existed.
struct RemovableOutput: Sendable {
    /// The path as given.
    let path: String
    /// Something (of any kind) was at `path` before the run opened it.
    private let existedBefore: Bool

    /// Notes what is at `path` now; nil for `-` (standard output).
    init?(path: String) {
        guard path != "-" else { return nil }
        self.path = path
        var info = stat()
        existedBefore = lstat(path, &info) == 0
    }

    /// Removes what the run left at `path`; true when something was removed.
    /// - Parameter opened: the output was opened completely (so a regular file there was created or
    ///   truncated by the run). When opening it failed, only a file or folder the run created is removed.
    func remove(opened: Bool) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard opened || !existedBefore else { return false }
            return unlink(path) == 0
        case S_IFDIR:
            guard !existedBefore else { return false }
            return rmdir(path) == 0  // fails, and keeps it, when anything is inside
        default:
            return false
        }
    }

    /// `a`, `a and b`, `a, b and c`.
    static func list(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
