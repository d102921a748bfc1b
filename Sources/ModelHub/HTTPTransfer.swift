import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP GET over FoundationNetworking's URLSession (libcurl underneath: TLS, proxies, HTTP/2), following
/// redirects: the `Range` header travels with each redirect, `Authorization` only to the same host and port.
/// A successful body (200, 206) is streamed into an open file descriptor as it arrives, or kept in memory;
/// any other status's body is kept in memory (up to 64 kB) for the message.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// Where a 200/206 body goes.
    enum Sink {
        /// Kept in memory, up to `limit` bytes (more is an error).
        case memory(limit: Int)
        /// Appended to `descriptor` (opened with O_APPEND), which holds `offset` bytes already; a 200 answer to a
        /// range request truncates it to zero first.
        case file(descriptor: Int32, offset: Int64)
    }

    /// What came back. `fileSize` is the size of the file sink afterwards.
    struct Outcome {
        var status = 0
        var headers: [String: String] = [:]
        var body = Data()
        var fileSize: Int64 = 0
        /// The transport failed (connection refused or cut, timeout, TLS).
        var transportError: String?
        /// Writing the file sink failed with this errno.
        var writeErrno: Int32?
        /// The answer does not fit the request (a range starting elsewhere, too large a body).
        var protocolError: String?
    }

    private let request: URLRequest
    private var sink: Sink
    private var outcome = Outcome()
    private let progress: (Int64) -> Void
    private let finished = DispatchSemaphore(value: 0)

    private init(request: URLRequest, sink: Sink, progress: @escaping (Int64) -> Void) {
        self.request = request
        self.sink = sink
        self.progress = progress
        if case .file(_, let offset) = sink { outcome.fileSize = offset }
    }

    /// Runs the GET to the end (blocking the calling thread) and returns what came back.
    static func get(_ url: URL, headers: [String: String], sink: Sink,
                    progress: @escaping (Int64) -> Void = { _ in }) -> Outcome {
        var request = URLRequest(url: url)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if case .file(_, let offset) = sink, offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let transfer = HTTPTransfer(request: request, sink: sink, progress: progress)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        session.dataTask(with: request).resume()
        transfer.finished.wait()
        session.finishTasksAndInvalidate()
        return transfer.outcome
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        var next = newRequest
        let sameOrigin = next.url?.host == request.url?.host && next.url?.port == request.url?.port
            && next.url?.scheme == request.url?.scheme
        for name in ["Range", "Accept-Encoding", "User-Agent", "Authorization"] {
            let value = name == "Authorization" && !sameOrigin ? nil : request.value(forHTTPHeaderField: name)
            next.setValue(value, forHTTPHeaderField: name)
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        outcome.status = http?.statusCode ?? 0
        for (key, value) in http?.allHeaderFields ?? [:] {
            if let key = key as? String, let value = value as? String { outcome.headers[key.lowercased()] = value }
        }
        if case .file(let descriptor, let offset) = sink {
            switch outcome.status {
            case 206:
                let start = outcome.headers["content-range"].flatMap(Self.rangeStart)
                if start != offset {
                    outcome.protocolError = "asked for bytes from \(offset), the answer starts at \(start.map(String.init) ?? "an unknown place")"
                    completionHandler(.cancel)
                    return
                }
            case 200 where offset > 0:
                // The server ignored the range: start over.
                if ftruncate(descriptor, 0) != 0 { outcome.writeErrno = errno; completionHandler(.cancel); return }
                sink = .file(descriptor: descriptor, offset: 0)
                outcome.fileSize = 0
            default: break
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard outcome.status == 200 || outcome.status == 206, case .file(let descriptor, _) = sink else {
            let limit: Int
            if case .memory(let memoryLimit) = sink, outcome.status == 200 || outcome.status == 206 { limit = memoryLimit } else { limit = 65536 }
            if outcome.body.count + data.count > limit {
                outcome.protocolError = "the answer is larger than \(limit) bytes"
                dataTask.cancel()
                return
            }
            outcome.body.append(data)
            return
        }
        let failed: Int32? = data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += written
                outcome.fileSize += Int64(written)
            }
            return nil
        }
        if let failed {
            outcome.writeErrno = failed
            dataTask.cancel()
            return
        }
        progress(outcome.fileSize)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, outcome.writeErrno == nil, outcome.protocolError == nil {
            outcome.transportError = (error as NSError).localizedDescription
        }
        finished.signal()
    }

    /// The first byte of `bytes START-END/TOTAL`.
    static func rangeStart(_ contentRange: String) -> Int64? {
        let text = contentRange.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        return Int64(text.dropFirst(6).prefix { $0 != "-" })
    }
}
