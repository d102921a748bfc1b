#if canImport(Glibc)
import Glibc
#endif

/// One accepted TCP connection, read and written with blocking calls under time limits (`SO_RCVTIMEO`,
/// `SO_SNDTIMEO`): a peer that stops reading or sending is dropped when the limit passes, and only its own
/// connection thread ever waits on it. Owns the descriptor; `close()` once.
struct ConnectionSocket {
    let descriptor: Int32

    /// How long one read or write may wait for the peer.
    static let timeoutSeconds = 5

    init(descriptor: Int32) {
        self.descriptor = descriptor
        var limit = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var on: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads what is there (up to `maximum` bytes); empty at end of input, on a time-out or an error.
    func read(maximum: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count < 0 && errno == EINTR { continue }
            return []
        }
    }

    /// Sends every byte; false when the peer went away or stopped reading for the time limit.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }

    func close() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
        _ = Glibc.close(descriptor)
    }
}
