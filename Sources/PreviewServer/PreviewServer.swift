import Foundation
import StreamKit
#if canImport(Glibc)
import Glibc
#endif

/// The live preview's web server: a minimal HTTP/1.1 server over Glibc sockets serving one page, the video
/// and the mask view as MJPEG (`multipart/x-mixed-replace`), the run's status as JSON and control commands by POST
/// (`PreviewConnection` holds the routes). No file system access: every answer comes from memory.
///
/// Threads: one accept thread (`clipseg-preview`), one short-lived thread per connection (at most
/// `2 × maximumViewers + 8` at once; more are answered 503 at once), and each frame exchange's encoder thread.
/// None of them is on Swift's cooperative pool, and none can hold up the pipeline: frames reach the server
/// only through `PreviewFrameExchange.offer`.
///
/// Access: on a loopback address any local client may watch, but control commands need the token; on any
/// other address every request needs it (`?token=…`, in the printed `url`).
public final class PreviewServer: @unchecked Sendable {
    /// Where it listens (the port the system picked when asked for port 0).
    public let address: PreviewAddress
    public let token: PreviewAccessToken
    /// Where composed pictures go; the sink offers them, viewers take them.
    public let frames: PreviewFrameExchange
    /// The same for the mask view (the masks as grey pictures).
    public let masks: PreviewFrameExchange
    /// True when every request needs the token (a non-loopback address).
    public let tokenForEveryRequest: Bool
    private let listener: Int32
    private let connectionLimit: Int
    private let state = LockedState(State())

    private struct State {
        var connections = 0
        var stopped = false
        var started = false
    }

    /// Why the server could not start: the address and the system's reason.
    public struct ListenError: Error, CustomStringConvertible {
        public var address: PreviewAddress
        public var reason: String
        public var description: String { "cannot listen on \(address): \(reason)" }
    }

    /// Binds and listens at once (so a taken port fails before the run starts); serves from `start(_:)` on.
    /// - Parameters:
    ///   - maximumViewers: viewers of the video at once (and as many of the mask view).
    ///   - makeEncoder: makes a function that turns a picture into a JPEG file, once for each exchange (each
    ///     runs on its exchange's encoder thread only).
    public init(address: PreviewAddress, maximumViewers: Int, token: PreviewAccessToken = PreviewAccessToken(),
                makeEncoder: () -> PreviewFrameExchange.Encode) throws {
        guard var host = PreviewAddress.ipv4(address.host) else {
            throw ListenError(address: address, reason: "not an IPv4 address")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ListenError(address: address, reason: String(cString: strerror(errno))) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(address.port).bigEndian)
        socketAddress.sin_addr = host
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw ListenError(address: address, reason: reason)
        }
        var actual = sockaddr_in()
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        host = actual.sin_addr
        self.address = PreviewAddress(host: address.host, port: Int(UInt16(bigEndian: actual.sin_port)))
        self.token = token
        tokenForEveryRequest = !address.isLoopback
        listener = descriptor
        connectionLimit = 2 * maximumViewers + 8
        frames = PreviewFrameExchange(maximumViewers: maximumViewers, name: "clipseg-preview-jpeg", encode: makeEncoder())
        masks = PreviewFrameExchange(maximumViewers: maximumViewers, name: "clipseg-preview-mask", encode: makeEncoder())
    }

    /// The page's address with the token, as printed for the user.
    public var url: String { "http://\(address)/?token=\(token)" }

    /// Starts accepting connections; `handlers` answer status and control requests. Call once.
    public func start(_ handlers: PreviewHandlers) {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started || state.stopped
        }
        guard !alreadyStarted else { return }
        let routes = PreviewConnection.Context(frames: frames, masks: masks, token: token, tokenForEveryRequest: tokenForEveryRequest,
                                               handlers: handlers)
        DedicatedThread.start(name: "clipseg-preview", stackSize: 512 << 10) { [self] in acceptLoop(routes) }
    }

    /// Stops listening and ends every video stream; connections being answered finish on their own.
    /// Safe to call more than once.
    public func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        frames.close()
        masks.close()
        _ = shutdown(listener, Int32(SHUT_RDWR))
        if !state.withLock({ $0.started }) { _ = Glibc.close(listener) }
    }

    private func acceptLoop(_ context: PreviewConnection.Context) {
        defer { _ = Glibc.close(listener) }
        while !state.withLock({ $0.stopped }) {
            let descriptor = accept(listener, nil, nil)
            if descriptor < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if state.withLock({ $0.stopped }) { return }
                usleep(10_000)  // out of descriptors: let connections end before accepting more
                continue
            }
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)  // no child process inherits a viewer's connection
            let socket = ConnectionSocket(descriptor: descriptor)
            let admitted = state.withLock { state in
                guard state.connections < connectionLimit else { return false }
                state.connections += 1
                return true
            }
            guard admitted else {
                _ = Glibc.send(descriptor, PreviewConnection.busy, PreviewConnection.busy.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                socket.close()
                continue
            }
            DedicatedThread.start(name: "clipseg-preview-c", stackSize: 512 << 10) { [self] in
                PreviewConnection(socket: socket, context: context).serve()
                socket.close()
                state.withLock { $0.connections -= 1 }
            }
        }
    }
}
