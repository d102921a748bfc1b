import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.x client over a blocking IPv4 TCP socket, for tests that must send exactly the bytes they
/// choose (malformed or oversized requests) or behave badly (connect and never read). Every read waits at
/// most `timeout` seconds.
public final class LoopbackConnection {
    public let descriptor: Int32

    /// Connects to `host:port`; `receiveBuffer` shrinks the socket's receive buffer (a viewer that fills up fast).
    public init(host: String = "127.0.0.1", port: Int, receiveBuffer: Int? = nil, timeout: Double = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackHTTPError("socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer.map(Int32.init) {
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw LoopbackHTTPError("bad host \(host)") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close()
            throw LoopbackHTTPError("connect \(host):\(port): \(reason)")
        }
    }

    deinit { close() }

    private var closed = false
    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw LoopbackHTTPError("send: \(String(cString: strerror(errno)))") }
            offset += count
        }
    }

    /// Reads what is there: empty at end of input; throws on a time-out or an error.
    public func readSome() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(buffer[0..<count]) }
            if errno == EINTR { continue }
            throw LoopbackHTTPError("recv: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads until the server closes the connection (a reset after an answer counts as a close).
    public func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let more: [UInt8]
            do { more = try readSome() } catch where errno == ECONNRESET && !all.isEmpty { return all }
            if more.isEmpty { return all }
            all += more
        }
    }
}

/// One answer read whole: the status code, the head as text and the body's bytes.
public struct LoopbackHTTPReply: Sendable {
    public var status: Int
    public var head: String
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Splits a complete answer (as `LoopbackConnection.readToEnd()` returns it).
    public init(_ bytes: [UInt8]) throws {
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) })
        else { throw LoopbackHTTPError("no complete head in \(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self))") }
        head = String(decoding: bytes[..<end], as: UTF8.self)
        body = Array(bytes[(end + 4)...])
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let code = Int(parts[1]) else { throw LoopbackHTTPError("bad status line in \(head)") }
        status = code
    }
}

/// Whole requests in one call.
public enum LoopbackHTTP {
    /// Sends `request` as is and reads the answer to the end.
    public static func exchange(_ request: [UInt8], host: String = "127.0.0.1", port: Int) throws -> LoopbackHTTPReply {
        let connection = try LoopbackConnection(host: host, port: port)
        try connection.send(request)
        return try LoopbackHTTPReply(connection.readToEnd())
    }

    public static func get(_ target: String, host: String = "127.0.0.1", port: Int) throws -> LoopbackHTTPReply {
        try exchange(Array("GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n".utf8), host: host, port: port)
    }

    public static func post(_ target: String, body: String, host: String = "127.0.0.1", port: Int) throws -> LoopbackHTTPReply {
        let bytes = Array(body.utf8)
        let head = "POST \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: text/plain\r\nContent-Length: \(bytes.count)\r\n\r\n"
        return try exchange(Array(head.utf8) + bytes, host: host, port: port)
    }
}

public struct LoopbackHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
