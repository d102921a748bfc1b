import Foundation
import Pipeline
import StreamKit

/// Answers one HTTP request on one connection, then the connection closes. The routes are fixed:
///
///     GET  /             the page (PreviewPage)
///     GET  /video.mjpg   the composited video, MJPEG (multipart/x-mixed-replace), newest frame first
///     GET  /mask.mjpg    the masks as grey pictures, the same way
///     GET  /status       the run's figures, prompts and threshold, JSON
///     POST /control      one control command line as the body (the `--control` grammar), JSON reply
///
/// Anything else is 404 (405 for another method on a known path); a malformed head 400, a head over 8 KiB
/// or a body over 4 KiB 413, a missing or wrong token 403 (on loopback: for controls, and for any request whose
/// `Host` is not a loopback name), too many viewers 503. Nothing is read from disk.
struct PreviewConnection {
    /// What every connection shares.
    struct Context: Sendable {
        var frames: PreviewFrameExchange
        var masks: PreviewFrameExchange
        var token: PreviewAccessToken
        var tokenForEveryRequest: Bool
        var handlers: PreviewHandlers
    }

    /// The most bytes a control command body may take (a `--control` line's limit).
    static let maximumBodySize = 4096
    static let boundary = "clipsegframe"
    /// The answer to a connection over the limit, sent without waiting.
    static let busy = HTTPResponse.text(.serviceUnavailable, "too many connections to the preview").bytes

    let socket: ConnectionSocket
    let context: Context

    func serve() {
        guard let (head, rest) = readHead() else { return }
        // On loopback, a page served under another name (DNS rebinding) needs the token like any other client.
        let needsToken = context.tokenForEveryRequest || head.path == "/control" || !head.hostIsLoopback
        if needsToken && !context.token.matches(head.queryValue("token")) {
            respond(.text(.forbidden, "this preview needs the token printed with its address (?token=…)"))
            return
        }
        switch (head.method, head.path) {
        case ("GET", "/"), ("GET", "/index.html"):
            respond(HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(PreviewPage.html.utf8)))
        case ("GET", "/video.mjpg"):
            stream(context.frames)
        case ("GET", "/mask.mjpg"):
            stream(context.masks)
        case ("GET", "/status"):
            respond(status())
        case ("POST", "/control"):
            respond(control(head, rest))
        case (_, "/"), (_, "/index.html"), (_, "/video.mjpg"), (_, "/mask.mjpg"), (_, "/status"):
            var answer = HTTPResponse.text(.methodNotAllowed, "\(head.method) is not served at \(head.path)")
            answer.extraHeaders = [("Allow", "GET")]
            respond(answer)
        case (_, "/control"):
            var answer = HTTPResponse.text(.methodNotAllowed, "control commands are sent by POST")
            answer.extraHeaders = [("Allow", "POST")]
            respond(answer)
        default:
            respond(.text(.notFound, "no such page"))
        }
    }

    private func respond(_ response: HTTPResponse) { socket.send(response.bytes) }

    /// Reads up to the blank line ending the head; answers and returns nil when the head is bad, too large or
    /// never completes. Returns the parsed head and the body bytes read with it.
    private func readHead() -> (HTTPRequestHead, [UInt8])? {
        var received: [UInt8] = []
        while true {
            if let end = Self.endOfHead(received) {
                switch HTTPRequestHead.parse(received[..<end.head]) {
                case .success(let head): return (head, Array(received[end.body...]))
                case .failure(let refusal):
                    respond(.text(refusal.status, refusal.reason))
                    return nil
                }
            }
            if received.count > HTTPRequestHead.maximumSize {
                respond(.text(.payloadTooLarge, "request head over \(HTTPRequestHead.maximumSize) bytes"))
                return nil
            }
            let more = socket.read(maximum: 4096)
            if more.isEmpty {
                if !received.isEmpty { respond(.text(.badRequest, "request ended before its head did")) }
                return nil
            }
            received += more
        }
    }

    /// Where the head ends (`\r\n\r\n` or `\n\n`): the head's length and where the body starts.
    static func endOfHead(_ bytes: [UInt8]) -> (head: Int, body: Int)? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 10 {
                if bytes[index + 1] == 10 { return (index, index + 2) }
                if bytes[index + 1] == 13, index + 2 < bytes.count, bytes[index + 2] == 10 { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    private func status() -> HTTPResponse {
        struct Status: Encodable {
            var run: PreviewRunStatus
            var preview: PreviewFrameExchange.Figures
            var mask: PreviewFrameExchange.Figures
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let status = Status(run: context.handlers.status(), preview: context.frames.figures,
                            mask: context.masks.figures)
        guard let body = try? encoder.encode(status) else { return .text(.internalServerError, "status not encodable") }
        return HTTPResponse(status: .ok, contentType: "application/json", body: Array(body))
    }

    /// Parses the body as one `--control` line and applies it through the run's own control path.
    private func control(_ head: HTTPRequestHead, _ start: [UInt8]) -> HTTPResponse {
        guard head.contentLength <= Self.maximumBodySize else {
            return .text(.payloadTooLarge, "a control command is at most \(Self.maximumBodySize) bytes")
        }
        var body = start
        while body.count < head.contentLength {
            let more = socket.read(maximum: head.contentLength - body.count)
            if more.isEmpty { return .text(.badRequest, "request ended before its body did") }
            body += more
        }
        let reply: PreviewControlReply
        switch ControlCommand.parse(body.prefix(head.contentLength)) {
        case .failure(let error):
            reply = PreviewControlReply(applied: false, message: error.message)
        case .success(let command):
            reply = Self.waitFor { await context.handlers.control(command) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(reply)).map(Array.init) ?? []
        return HTTPResponse(status: reply.applied ? .ok : .unprocessable, contentType: "application/json", body: json)
    }

    /// Runs `body` as a task and blocks this connection thread (never a cooperative one) until it returns.
    private static func waitFor(_ body: @escaping @Sendable () async -> PreviewControlReply) -> PreviewControlReply {
        let result = LockedState<PreviewControlReply?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let reply = await body()
            result.withLock { $0 = reply }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Sends the newest JPEG of `frames`, then each newer one, until the viewer goes away or the video ends.
    private func stream(_ frames: PreviewFrameExchange) {
        guard frames.addViewer() else {
            respond(.text(.serviceUnavailable, "the preview has \(frames.maximumViewers) viewers already"))
            return
        }
        defer { frames.removeViewer() }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\(Self.boundary)\r\n"
            + HTTPResponse.commonHeaders + "\r\n"
        guard socket.send(Array(head.utf8)) else { return }
        var sequence = 0
        while let frame = frames.next(after: sequence) {
            sequence = frame.sequence
            let part = "--\(Self.boundary)\r\nContent-Type: image/jpeg\r\nContent-Length: \(frame.jpeg.count)\r\n\r\n"
            guard socket.send(Array(part.utf8)), socket.send(frame.jpeg), socket.send([13, 10]) else { return }
            frames.sent(offeredAt: frame.offeredAt)
        }
    }
}
