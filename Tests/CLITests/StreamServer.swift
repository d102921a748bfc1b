import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A server process for the network input tests, on 127.0.0.1: the ffmpeg CLI (`-listen 1` HTTP, UDP/SRT
/// senders), GStreamer's RTSP server or the MJPEG server (Tests/NetworkServers, run with Debian's
/// /usr/bin/python3, which has `gi`). Killed by `stop()` or when released; its output goes to a file.
final class StreamServer {
    let process = Process()
    let logURL: URL

    /// Starts `executable` (a path, or a name looked up in /usr/bin) with `arguments`.
    init(_ executable: String, _ arguments: [String], folder: TemporaryDirectory) throws {
        logURL = folder.path("server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/" + executable)
        process.arguments = arguments
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit { stop() }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Kills the server (SIGKILL: a crash, nothing said to the clients) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits until the server printed "ready" (the Python servers), or fails the test.
    func waitForReady(file: StaticString = #filePath, line: UInt = #line) {
        let ready = eventually(20) { log.contains("ready") || !process.isRunning }
        XCTAssertTrue(ready && process.isRunning, "server did not start: \(log)", file: file, line: line)
    }

    /// Waits until something listens on TCP `port` of 127.0.0.1 (without connecting: `-listen 1` serves
    /// one client only), from /proc/net/tcp.
    static func waitForListener(port: UInt16, file: StaticString = #filePath, line: UInt = #line) {
        let local = String(format: "0100007F:%04X", port)
        let listening = eventually(20) {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            return table.split(separator: "\n").contains { row in
                let fields = row.split(separator: " ")
                return fields.count > 3 && fields[1] == local && fields[3] == "0A"
            }
        }
        XCTAssertTrue(listening, "nothing listens on port \(port)", file: file, line: line)
    }

    /// A port of 127.0.0.1 free just now (`SOCK_STREAM` or `SOCK_DGRAM`).
    static func freePort(type: Int32 = Int32(SOCK_STREAM.rawValue)) throws -> UInt16 {
        let descriptor = socket(AF_INET, type, 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// `Tests/NetworkServers/NAME`.
    static func script(_ name: String) -> String {
        TestPaths.repositoryRoot.appendingPathComponent("Tests/NetworkServers/\(name)").path
    }

    /// Skips the test when Debian's Python lacks GStreamer's RTSP server (the Makefile's `test-deps`
    /// installs it; a machine without them cannot run the RTSP tests).
    static func requireRTSPServer() throws {
        let probe = try ChildProcess.runTool("/usr/bin/python3", ["-c", "import gi; gi.require_version('GstRtspServer', '1.0'); "
                                                                  + "from gi.repository import GstRtspServer"])
        if probe.status != 0 {
            throw XCTSkip("GStreamer's RTSP server is not installed (make test-deps): \(probe.stderrText)")
        }
    }
}

/// One `clipseg segment` run's stderr never holds `secret` (the run's URL password or option value).
func assertNoSecret(_ secret: String, in texts: [String], file: StaticString = #filePath, line: UInt = #line) {
    for text in texts {
        XCTAssertFalse(text.contains(secret), "the secret shows in: \(text)", file: file, line: line)
    }
}
