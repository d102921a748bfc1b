#if canImport(Glibc)
import Glibc
#endif

/// What a file is, whatever path reaches it: the device and inode number of the file a path names after
/// following every symbolic link. Two paths with equal identities name one file — through a symlink, a
/// hard link, `..`, or a bind mount — so writing to one destroys the other.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    /// What kind of file it is.
    public let kind: FileKind
    /// For device files, the device they stand for (`st_rdev`); 0 otherwise.
    public let representedDevice: UInt64

    /// The identity of what `path` names (symbolic links followed); nil when nothing is there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// The identity of an open file descriptor (standard input or output); nil when it is not open.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        kind = FileKind(mode: info.st_mode)
        representedDevice = UInt64(info.st_rdev)
    }

    /// True for the null device (character device 1:3, `/dev/null` wherever it is linked or `mknod`ed):
    /// any number of outputs may write to it.
    public var isNullDevice: Bool {
        kind == .characterDevice && major == 1 && minor == 3
    }

    /// The major and minor numbers of `representedDevice` (glibc's encoding of `dev_t`).
    public var major: UInt64 { (representedDevice >> 8) & 0xfff | (representedDevice >> 32) & ~0xfff }
    public var minor: UInt64 { representedDevice & 0xff | (representedDevice >> 12) & ~0xff
    }

    public static func == (a: FileIdentity, b: FileIdentity) -> Bool { a.device == b.device && a.inode == b.inode }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(device)
        hasher.combine(inode)
    }
}

/// The kind of a file system node (`st_mode & S_IFMT`).
public enum FileKind: Sendable, Equatable {
    case regular, directory, characterDevice, blockDevice, fifo, socket, symbolicLink, other

    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    /// A node that is written in place and never replaced: a device, a named pipe or a socket.
    public var isSpecial: Bool {
        switch self {
        case .characterDevice, .blockDevice, .fifo, .socket: return true
        default: return false
        }
    }

    /// How a message names it: "a character device", "a named pipe", ….
    public var phrase: String {
        switch self {
        case .regular: return "a file"
        case .directory: return "a folder"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a named pipe"
        case .socket: return "a socket"
        case .symbolicLink: return "a symbolic link"
        case .other: return "a special file"
        }
    }
}
