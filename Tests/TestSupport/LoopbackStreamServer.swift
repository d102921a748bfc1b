import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-connection TCP server on 127.0.0.1 that sends `bytes` and then keeps the connection open
/// without sending more — a live stream that stalls (or, sending nothing, a server that never answers).
/// For `tcp://` input tests.
public final class LoopbackStreamServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32
    private let bytes: [UInt8]
    private let finished = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)

    public init(sending bytes: [UInt8]) throws {
        self.bytes = bytes
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    /// `tcp://127.0.0.1:<port>`.
    public var url: String { "tcp://127.0.0.1:\(port)" }

    private func serve() {
        let connection = accept(listener, nil, nil)
        if connection >= 0 {
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            release.wait()
            close(connection)
        }
        finished.signal()
    }

    /// Closes the connection and the listening socket.
    public func stop() {
        release.signal()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = finished.wait(timeout: .now() + 5)
    }
}
