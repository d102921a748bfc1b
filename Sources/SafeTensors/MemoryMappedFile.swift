#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap(PROT_READ, MAP_PRIVATE)`), unmapped in `deinit`.
///
/// `@unchecked Sendable`: the mapping is created once in `init`, never written (PROT_READ) and
/// never remapped until `deinit`, so concurrent reads through `bytes` are safe. If another process
/// truncates the file while it is mapped, reading the lost pages raises SIGBUS; that is the usual
/// price of mmap and is not guarded against.
package final class MemoryMappedFile: @unchecked Sendable {
    /// The mapped bytes; valid for as long as this object lives.
    package let bytes: UnsafeRawBufferPointer

    /// Why opening or mapping failed, before any `SafeTensorsError` is made of it.
    package enum Failure: Error {
        case cannotOpen(String)
        case notRegularFile
        case cannotMap(String)
        /// The file is shorter than `minimumSize`; carries its size. Nothing was mapped.
        case tooSmall(Int)
    }

    /// Opens and maps `path`. Files smaller than `minimumSize` (at least 1, since an empty mapping
    /// is not possible) are refused before mapping.
    package init(path: String, minimumSize: Int) throws(Failure) {
        var fd: Int32
        repeat {
            // O_NONBLOCK keeps open() from waiting on a FIFO; it changes nothing for regular files.
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .cannotOpen(Self.errnoText()) }
        defer { close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .cannotOpen(Self.errnoText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile }
        let size = Int(status.st_size)
        guard size >= max(minimumSize, 1) else { throw .tooSmall(size) }

        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .cannotMap(Self.errnoText())
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
