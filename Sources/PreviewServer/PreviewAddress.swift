#if canImport(Glibc)
import Glibc
#endif

/// Where the preview listens: an IPv4 address and a TCP port, parsed from `[HOST:]PORT`
/// (`8080`, `127.0.0.1:8080`, `localhost:8080`, `0.0.0.0:0`; port 0 lets the system pick one).
public struct PreviewAddress: Sendable, Equatable, CustomStringConvertible {
    /// Dotted IPv4 address (`localhost` is read as 127.0.0.1).
    public var host: String
    public var port: Int

    /// The address when only a port is given.
    public static let defaultHost = "127.0.0.1"

    public init(host: String = PreviewAddress.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `[HOST:]PORT`; nil when the port is not 0…65535 or the host is not a dotted IPv4 address
    /// or `localhost`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let portText = parts.last, !portText.isEmpty, portText.allSatisfy(\.isASCII),
              let port = Int(portText), (0...65535).contains(port) else { return nil }
        var host = parts.count == 2 ? String(parts[0]) : Self.defaultHost
        if host.lowercased() == "localhost" { host = "127.0.0.1" }
        guard Self.ipv4(host) != nil else { return nil }
        self.init(host: host, port: port)
    }

    /// True for 127.0.0.0/8: only this machine can connect.
    public var isLoopback: Bool {
        guard let address = Self.ipv4(host) else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    public var description: String { "\(host):\(port)" }

    /// The address in network byte order, nil when `text` is not dotted IPv4.
    static func ipv4(_ text: String) -> in_addr? {
        var address = in_addr()
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return address
    }
}
