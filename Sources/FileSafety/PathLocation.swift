#if canImport(Glibc)
import Glibc
#endif

/// Where a path points, for paths that may not exist yet: the identity of its nearest existing ancestor
/// folder (symbolic links followed) and the components below it. Two paths with equal locations name
/// the same place — `out/../a.mp4`, `./a.mp4` and a symlinked folder's `link/a.mp4` — whether or not
/// a file is there yet.
public struct PathLocation: Hashable, Sendable {
    /// The nearest folder on the path that exists.
    public let anchor: FileIdentity?
    /// The components below `anchor`, `.` and `..` resolved lexically (empty: the anchor itself).
    public let components: [String]

    /// The location of `path` (relative paths from the working directory). A final component that is a
    /// symbolic link is followed (to where a write through it would land), up to 40 links.
    public init(path: String) {
        let current = PathLocation.resolvingFinalLinks(PathLocation.absolute(path))
        // The longest prefix that exists, as the kernel resolves it (`..` after a symlinked folder included).
        var prefix = current.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var below: [String] = []
        while true {
            if let identity = FileIdentity(path: "/" + prefix.joined(separator: "/")),
               identity.kind == .directory || below.isEmpty {
                anchor = identity
                components = PathLocation.normalized(below.joined(separator: "/"))
                return
            }
            guard let last = prefix.popLast() else {
                anchor = nil
                components = PathLocation.normalized(below.joined(separator: "/"))
                return
            }
            below.insert(last, at: 0)
        }
    }

    /// The location of the folder holding `path` and the name written there (a final symbolic link
    /// followed: a write through a dangling link lands at its target).
    public static func slot(of path: String) -> (folder: PathLocation, name: String) {
        let resolved = resolvingFinalLinks(absolute(path))
        let name = resolved.split(separator: "/").last.map(String.init) ?? ""
        if name == "." || name == ".." || name.isEmpty { return (PathLocation(path: resolved), "") }
        return (PathLocation(path: parent(of: resolved)), name)
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" + path }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
    }

    /// Components with empty ones and `.` dropped and `..` applied.
    static func normalized(_ path: String) -> [String] {
        var result: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": _ = result.popLast()
            default: result.append(String(component))
            }
        }
        return result
    }

    /// `path` without its last component, textually (so a symlinked folder on the way is kept).
    static func parent(of path: String) -> String {
        var text = Substring(path)
        while text.count > 1 && text.hasSuffix("/") { text = text.dropLast() }
        guard let slash = text.lastIndex(of: "/") else { return "." }
        return slash == text.startIndex ? "/" : String(text[..<slash])
    }

    /// The target of `path` when it is a symbolic link.
    static func linkTarget(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension PathLocation {
    /// `path` with a final symbolic link followed (to the file a write lands in), up to 40 links.
    public static func resolvingFinalLinks(_ path: String) -> String {
        var resolved = path
        for _ in 0..<40 {
            guard let target = linkTarget(resolved) else { break }
            resolved = target.hasPrefix("/") ? target : parent(of: resolved) + "/" + target
        }
        return resolved
    }
}
