/// The start line and headers of one HTTP/1.x request, parsed from raw bytes with fixed limits. Only what
/// the preview's fixed routes use is kept: method, path, query parameters, `Content-Length`.
struct HTTPRequestHead: Equatable {
    var method: String
    /// The path without the query (`/`, `/video.mjpg`).
    var path: String
    /// The query string after `?`, empty when none.
    var query: Substring
    /// The declared body length, 0 when absent.
    var contentLength: Int
    /// The `Host` header as sent, nil when absent (HTTP/1.0).
    var host: Substring?

    /// True when `Host` names this machine's loopback (`127.x.x.x`, `localhost`, `[::1]`, with or without a
    /// port) or is absent. A web page whose own name was rebound to 127.0.0.1 by its DNS server sends its own
    /// name here, so this tells a local client from a page that only looks same-origin (DNS rebinding).
    var hostIsLoopback: Bool {
        guard let host else { return true }
        var name = host.lowercased()[...]
        if name.hasPrefix("[") {
            return name.hasPrefix("[::1]") && (name.count == 5 || name.dropFirst(5).first == ":")
        }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return name == "localhost" || PreviewAddress(parsing: "\(name):0")?.isLoopback == true
    }

    /// Why a request head cannot be served: the status to answer with and a one-line reason.
    struct Refusal: Error, Equatable {
        var status: HTTPStatus
        var reason: String
    }

    /// The most bytes a request head (start line and headers) may take.
    static let maximumSize = 8192

    /// The value of query parameter `name` as sent (no percent-decoding: tokens are hex), nil when absent.
    func queryValue(_ name: String) -> Substring? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first == Substring(name) { return parts.count == 2 ? parts[1] : "" }
        }
        return nil
    }

    /// Parses `bytes`, the head up to and without the blank line that ends it.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<HTTPRequestHead, Refusal> {
        guard bytes.count <= maximumSize else {
            return .failure(Refusal(status: .payloadTooLarge, reason: "request head over \(maximumSize) bytes"))
        }
        // Only printable ASCII, tabs and line breaks: anything else is not HTTP/1.x.
        guard bytes.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) }) else {
            return .failure(Refusal(status: .badRequest, reason: "request head holds bytes that are not HTTP text"))
        }
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self))
        }
        guard !lines.isEmpty else { return .failure(Refusal(status: .badRequest, reason: "empty request")) }
        let start = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard start.count == 3, !start[0].isEmpty, start[0].allSatisfy({ $0.isUppercase && $0.isASCII }),
              start[1].first == "/" else {
            return .failure(Refusal(status: .badRequest, reason: "malformed request line"))
        }
        guard start[2] == "HTTP/1.1" || start[2] == "HTTP/1.0" else {
            return .failure(Refusal(status: .httpVersionNotSupported, reason: "only HTTP/1.0 and HTTP/1.1 are served"))
        }
        let target = start[1]
        let question = target.firstIndex(of: "?")
        var head = HTTPRequestHead(method: String(start[0]), path: String(target[..<(question ?? target.endIndex)]),
                                   query: question.map { target[target.index(after: $0)...] } ?? "", contentLength: 0,
                                   host: nil)
        var sawLength = false
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(" "), !line[..<colon].contains("\t") else {
                return .failure(Refusal(status: .badRequest, reason: "malformed header line"))
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            switch name {
            case "content-length":
                guard !sawLength, !value.isEmpty, value.count <= 18, value.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let length = Int(value) else {
                    return .failure(Refusal(status: .badRequest, reason: "bad Content-Length"))
                }
                sawLength = true
                head.contentLength = length
            case "host":
                head.host = value
            case "transfer-encoding":
                return .failure(Refusal(status: .lengthRequired, reason: "send a Content-Length, not Transfer-Encoding"))
            default:
                break
            }
        }
        return .success(head)
    }
}
