import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// An `AVIOContext` that writes to standard output (fd 1) and remembers when the reader went away
/// (EPIPE), so a muxer's failure can be reported as `MediaError.outputClosed`. Not seekable: muxers
/// write their streaming form (Matroska without cues, NUT). Owns the context and its buffer.
final class StandardOutputIO {
    private(set) var context: UnsafeMutablePointer<AVIOContext>?
    /// Set once a write failed with EPIPE.
    private(set) var readerClosed = false

    init() throws {
        FileDescriptorWriter.ignoreBrokenPipeSignal()
        let size: Int32 = 64 * 1024
        guard let buffer = av_malloc(Int(size))?.assumingMemoryBound(to: UInt8.self) else {
            throw MediaError.writeFailed("standard output", reason: "out of memory")
        }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        context = avio_alloc_context(buffer, size, 1, opaque, nil, { opaque, bytes, count in
            guard let opaque, let bytes else { return averror(EINVAL) }
            let io = Unmanaged<StandardOutputIO>.fromOpaque(opaque).takeUnretainedValue()
            return io.write(bytes, count: Int(count))
        }, nil)
        if context == nil {
            av_free(buffer)
            throw MediaError.writeFailed("standard output", reason: "out of memory")
        }
    }

    deinit { release() }

    /// Frees the context and its (possibly reallocated) buffer. Idempotent.
    func release() {
        guard let context else { return }
        avio_flush(context)
        var buffer: UnsafeMutablePointer<UInt8>? = context.pointee.buffer
        av_freep(&buffer)
        self.context = context
        avio_context_free(&self.context)
    }

    private func write(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) -> Int32 {
        var offset = 0
        while offset < count {
            let written = Glibc.write(STDOUT_FILENO, bytes + offset, count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE { readerClosed = true }
                return averror(code)
            }
            offset += written
        }
        return Int32(count)
    }
}
