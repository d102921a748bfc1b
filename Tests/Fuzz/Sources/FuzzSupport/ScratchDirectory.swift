import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private folder for targets whose code under test reads files: each input is written to a fixed
/// name in it (replacing the previous one). Lives in `$CLIPSEG_FUZZ_SCRATCH`, else `/dev/shm` (memory,
/// fast), else the temporary folder; named after the process, so parallel fuzzers (`-jobs`) don't
/// collide. Removed at normal exit; a crashed run leaves it behind (small).
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    public static let shared = ScratchDirectory()

    private init() {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["CLIPSEG_FUZZ_SCRATCH"]
            ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        url = URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent("clipseg-fuzz-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            FuzzCheck.fail("cannot create the scratch folder \(url.path): \(error)")
        }
        atexit { try? FileManager.default.removeItem(at: ScratchDirectory.shared.url) }
    }

    /// Writes `bytes` to `name` in this folder (replacing it) and returns its URL.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer, to name: String) -> URL {
        write(bytes, to: url.appendingPathComponent(name))
    }

    /// Writes `bytes` to `file` (in this folder or one of `folder(_:)`), replacing it; returns `file`.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer, to file: URL) -> URL {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { FuzzCheck.fail("cannot create \(file.path): errno \(errno)") }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { FuzzCheck.fail("cannot write \(file.path): errno \(errno)") }
            offset += written
        }
        return file
    }

    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) -> URL {
        bytes.withUnsafeBytes { write($0, to: name) }
    }

    /// A subfolder (created if missing).
    public func folder(_ name: String) -> URL {
        let folder = url.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
