import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// The driver buffers of a streaming camera, requested with VIDIOC_REQBUFS (memory-mapped) and mapped
/// into this process through libv4l2 (which hands out its converted RGB24 copies). Owned by one
/// `CameraSource`; `release(from:)` unmaps them and gives them back to the driver.
final class CameraBuffers {
    struct Mapping {
        let start: UnsafeMutableRawPointer
        let length: Int
    }

    private(set) var mappings: [Mapping] = []

    /// Requests `count` buffers (the driver may grant a different number), maps and queues each one.
    init(device: V4L2Descriptor, count: Int) throws {
        var request = v4l2_requestbuffers()
        request.count = UInt32(max(2, count))
        request.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
        request.memory = CLIPSEG_V4L2_MEMORY_MMAP
        try device.require(CLIPSEG_VIDIOC_REQBUFS, &request, "VIDIOC_REQBUFS")
        guard request.count > 0 else {
            throw CameraError.failed(device.path, operation: "VIDIOC_REQBUFS", reason: "the driver granted no buffers")
        }
        do {
            for index in 0..<request.count {
                var buffer = CameraBuffers.describe(index: index)
                try device.require(CLIPSEG_VIDIOC_QUERYBUF, &buffer, "VIDIOC_QUERYBUF")
                let start = clipseg_v4l2_mmap(nil, Int(buffer.length), PROT_READ | PROT_WRITE, MAP_SHARED,
                                              device.fd, Int64(buffer.m.offset))
                guard let start, start != MAP_FAILED else {
                    throw V4L2Descriptor.error(errno, device: device.path, operation: "mmap")
                }
                mappings.append(Mapping(start: start, length: Int(buffer.length)))
                try device.require(CLIPSEG_VIDIOC_QBUF, &buffer, "VIDIOC_QBUF")
            }
        } catch {
            release(from: device)
            throw error
        }
    }

    /// A `v4l2_buffer` naming buffer `index` (capture, memory-mapped), as QUERYBUF/QBUF/DQBUF expect.
    static func describe(index: UInt32 = 0) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = index
        buffer.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
        buffer.memory = CLIPSEG_V4L2_MEMORY_MMAP
        return buffer
    }

    /// Unmaps every buffer and frees them in the driver (errors ignored: the device may be gone).
    func release(from device: V4L2Descriptor) {
        for mapping in mappings { _ = clipseg_v4l2_munmap(mapping.start, mapping.length) }
        mappings = []
        var request = v4l2_requestbuffers()
        request.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
        request.memory = CLIPSEG_V4L2_MEMORY_MMAP
        _ = device.control(CLIPSEG_VIDIOC_REQBUFS, &request)
    }
}
