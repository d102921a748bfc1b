#if canImport(Glibc)
import Glibc
#endif

/// Writes a whole file (a picture, a NumPy array) where the user pointed, never destroying what was there
/// by accident:
/// - a device, named pipe or socket is opened and written in place — never replaced by a regular file
///   (replacing `/dev/null` as root would break the whole system; a pipe's reader would wait forever);
/// - a new file, or a regular file the user could replace (its folder is writable and it has no other hard
///   links), is written to a temporary file in the same folder and renamed over it once complete, so a
///   failed write leaves the old file whole; the old file's permission bits (and owner, as root) are kept;
/// - any other regular file (a read-only folder, several hard links) is truncated and written in place;
/// - a symbolic link is kept: what it points to is written.
public enum WholeFileWrite {
    /// A write that failed, with the system's words (`No space left on device`).
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): write failed (\(reason))" }
    }

    /// Writes `bytes` to `path` (not `-`: standard output is the caller's).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let target = PathLocation.resolvingFinalLinks(path)
        var info = stat()
        let exists = stat(target, &info) == 0
        let kind = exists ? FileKind(mode: info.st_mode) : nil
        if let kind, kind.isSpecial || kind == .other {
            try writeInPlace(bytes, to: target, shownAs: path, flags: O_WRONLY)
            return
        }
        if kind == .directory { throw Failure(path: path, reason: "it is a folder") }
        let folder = PathLocation.parent(of: target)
        let replaceable = access(folder, W_OK) == 0 && (!exists || info.st_nlink <= 1)
        guard replaceable else {
            try writeInPlace(bytes, to: target, shownAs: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            return
        }
        var template = Array((folder + "/.clipseg-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        if descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        guard descriptor >= 0 else {
            try writeInPlace(bytes, to: target, shownAs: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            return
        }
        let temporary = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do throws(Failure) {
            if exists {
                _ = fchmod(descriptor, info.st_mode & 0o7777)
                if geteuid() == 0 { _ = fchown(descriptor, info.st_uid, info.st_gid) }
            } else {
                let mask = umask(0)
                umask(mask)
                _ = fchmod(descriptor, 0o666 & ~mask)
            }
            try writeAll(bytes, to: descriptor, shownAs: path)
            guard close(descriptor) == 0 else { throw Failure(path: path, reason: systemReason()) }
            guard rename(temporary, target) == 0 else { throw Failure(path: path, reason: systemReason()) }
        } catch {
            _ = close(descriptor)
            unlink(temporary)
            throw error
        }
    }

    private static func writeInPlace(_ bytes: [UInt8], to target: String, shownAs path: String,
                                     flags: Int32) throws(Failure) {
        let descriptor = open(target, flags | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw Failure(path: path, reason: systemReason()) }
        do {
            try writeAll(bytes, to: descriptor, shownAs: path)
        } catch {
            _ = close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 || errno == EINTR else { throw Failure(path: path, reason: systemReason()) }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, shownAs path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { Glibc.write(descriptor, $0 + offset, raw.count - offset) } ?? 0
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: systemReason())
            }
            offset += written
        }
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
