import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output written under a temporary name in its own folder and renamed to its real name only once it is
/// complete, so a file with the real name is always whole: `out/clip.mp4` is written as
/// `out/.clip.partial-<tag>.mp4` (the extension kept, so the container is chosen by it). `clipseg batch
/// --resume` trusts a file with the real name and never a partial one; a partial left by a killed run is
/// found by `isPartialName` and removed by the next run.
struct PartialOutput: Sendable, Equatable {
    /// The real name.
    let path: String
    /// The temporary name in the same folder.
    let partialPath: String

    init(path: String, tag: String) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = (path as NSString).deletingLastPathComponent
        let ext = url.pathExtension
        let stem = ext.isEmpty ? url.lastPathComponent : String(url.lastPathComponent.dropLast(ext.count + 1))
        let name = ".\(stem).partial-\(tag)" + (ext.isEmpty ? "" : ".\(ext)")
        partialPath = folder.isEmpty ? name : folder + "/" + name
    }

    /// Renames the finished partial file to the real name (atomic within a folder; replaces an older file).
    func commit() throws {
        guard rename(partialPath, path) == 0 else {
            throw CommandFailure.runtime("cannot rename \(partialPath) to \(path) (\(String(cString: strerror(errno))))")
        }
    }

    /// Removes the partial file, if any.
    func discard() { unlink(partialPath) }

    /// Partial files of `path` left in its folder by earlier runs (any tag).
    static func leftovers(of path: String) -> [String] {
        let probe = PartialOutput(path: path, tag: "*")
        let folder = (path as NSString).deletingLastPathComponent
        let pattern = (probe.partialPath as NSString).lastPathComponent
        let parts = pattern.components(separatedBy: "*")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { $0.hasPrefix(parts[0]) && $0.hasSuffix(parts[1]) && $0.count > parts[0].count + parts[1].count }
            .map { folder.isEmpty ? $0 : folder + "/" + $0 }
    }
}
