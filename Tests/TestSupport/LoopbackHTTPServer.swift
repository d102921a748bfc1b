import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for tests: one thread accepts, one thread per
/// connection reads one request and hands it to `handler`, which writes the answer through `HTTPExchange`;
/// the connection is closed after each answer. `stop()` closes the listening socket.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (HTTPExchange) -> Void

    public init(handler: @escaping @Sendable (HTTPExchange) -> Void) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let handler = self.handler
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                Thread.detachNewThread {
                    if let exchange = HTTPExchange(connection: connection) { handler(exchange) }
                    close(connection)
                }
            }
        }
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// One request read from a connection, and the means to answer it.
public final class HTTPExchange: @unchecked Sendable {
    public let method: String
    /// The path without the query.
    public let path: String
    public let query: String
    /// Header names lower-cased.
    public let headers: [String: String]
    private let connection: Int32

    init?(connection: Int32) {
        self.connection = connection
        var buffer = [UInt8]()
        var byte: UInt8 = 0
        while !(buffer.count >= 4 && buffer.suffix(4) == [13, 10, 13, 10]) {
            guard read(connection, &byte, 1) == 1, buffer.count < 65536 else { return nil }
            buffer.append(byte)
        }
        let lines = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        method = String(requestLine[0])
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        query = parts.count > 1 ? String(parts[1]) : ""
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
    }

    /// Writes the status line and headers (`Content-Length` included when `contentLength` is given).
    /// Returns false once the client has gone away.
    @discardableResult
    public func writeHead(status: Int, headers: [String: String] = [:], contentLength: Int?) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nConnection: close\r\n"
        if let contentLength { head += "Content-Length: \(contentLength)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        return writeBody(Data((head + "\r\n").utf8))
    }

    /// Writes body bytes; false once the client has gone away.
    @discardableResult
    public func writeBody(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = send(connection, raw.baseAddress! + done, raw.count - done, Int32(MSG_NOSIGNAL))
                if written < 0 { if errno == EINTR { continue }; return false }
                done += written
            }
            return true
        }
    }

    /// A complete answer with `body`.
    public func respond(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        if writeHead(status: status, headers: headers, contentLength: body.count) { writeBody(body) }
    }

    private static func reason(_ status: Int) -> String {
        [200: "OK", 206: "Partial Content", 302: "Found", 401: "Unauthorized", 404: "Not Found",
         416: "Range Not Satisfiable"][status] ?? "Status"
    }
}
