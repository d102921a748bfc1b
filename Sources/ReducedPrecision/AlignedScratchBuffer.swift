/// A growable, 64-byte-aligned raw buffer reused across calls (converted activations, staged
/// output, oneDNN scratchpad). Owns its memory; contents are garbage between uses.
final class AlignedScratchBuffer {
    private(set) var pointer: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    /// A buffer of at least `bytes` bytes (reallocated, contents dropped, when it has to grow).
    func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if let pointer, bytes <= capacity { return pointer }
        pointer?.deallocate()
        let size = max(bytes, 64)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        pointer = fresh
        capacity = size
        return fresh
    }

    deinit { pointer?.deallocate() }
}
