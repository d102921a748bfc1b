import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe` (commands on the
/// child's descriptor 3, answers and events on 4, each message a JSON object ending in a NUL byte), so a test
/// can type into a page and click as a person would, with no WebSocket client and no network port.
final class ChromiumDevTools {
    private var pid: pid_t = 0
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var nextID = 1
    private var received: [UInt8] = []
    /// The page session `open(_:)` attached to.
    private var sessionID: String?

    /// Starts the browser with a blank page; skips the test when it cannot start.
    init(profile: URL) throws {
        let chromium = try HeadlessChromium.path()
        var commands: [Int32] = [0, 0], answers: [Int32] = [0, 0]
        guard pipe(&commands) == 0, pipe(&answers) == 0 else { throw ChromiumDevToolsError("pipe failed") }
        for descriptor in commands + answers { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        toBrowser = commands[1]
        fromBrowser = answers[0]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, commands[0], 3)
        posix_spawn_file_actions_adddup2(&actions, answers[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [chromium] + HeadlessChromium.commonArguments
            + ["--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "about:blank"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let status = posix_spawn(&pid, chromium, &actions, nil, &argv, environ)
        Glibc.close(commands[0])
        Glibc.close(answers[1])
        guard status == 0 else {
            Glibc.close(toBrowser)
            Glibc.close(fromBrowser)
            throw XCTSkip("chromium cannot start: \(String(cString: strerror(status)))")
        }
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { close() }

    func close() {
        guard pid != 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
        Glibc.close(toBrowser)
        Glibc.close(fromBrowser)
    }

    /// Opens `url` in a new tab and attaches to it; later commands go to that page. Skips the test when the
    /// browser died before answering its first command (it cannot run on this machine).
    func open(_ url: String) throws {
        let target: [String: Any]
        do {
            target = try send("Target.createTarget", ["url": url], toPage: false)
        } catch let error as ChromiumDevToolsError where nextID == 2 {
            throw XCTSkip("chromium cannot start here: \(error)")
        }
        guard let targetID = target["targetId"] as? String else { throw ChromiumDevToolsError("no target: \(target)") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true], toPage: false)
        guard let session = attached["sessionId"] as? String else { throw ChromiumDevToolsError("no session: \(attached)") }
        sessionID = session
    }

    /// The value of a JavaScript expression in the page (JSON-compatible values).
    func evaluate(_ expression: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Types `text` into the focused element, as keyboard input.
    func type(_ text: String) throws { _ = try send("Input.insertText", ["text": text]) }

    /// Presses and releases Enter in the focused element.
    func pressEnter() throws {
        for type in ["keyDown", "keyUp"] {
            var event: [String: Any] = ["type": type, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13]
            if type == "keyDown" { event["text"] = "\r" }
            _ = try send("Input.dispatchKeyEvent", event)
        }
    }

    /// Sends one command and waits (at most 30 s) for its answer, passing over events.
    @discardableResult
    func send(_ method: String, _ parameters: [String: Any], toPage: Bool = true) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if toPage {
            guard let sessionID else { throw ChromiumDevToolsError("no page open") }
            message["sessionId"] = sessionID
        }
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw ChromiumDevToolsError("the browser went away") }
            offset += count
        }
        let deadline = Date().addingTimeInterval(30)
        while true {
            while let end = received.firstIndex(of: 0) {
                let text = Data(received[..<end])
                received.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: text) as? [String: Any],
                      answer["id"] as? Int == id else { continue }
                if let error = answer["error"] { throw ChromiumDevToolsError("\(method): \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            guard Date() < deadline else { throw ChromiumDevToolsError("no answer to \(method)") }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) >= 0 || errno == EINTR else { throw ChromiumDevToolsError("poll failed") }
            if descriptor.revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = buffer.withUnsafeMutableBytes { read(fromBrowser, $0.baseAddress, $0.count) }
                guard count > 0 else { throw ChromiumDevToolsError("the browser closed its pipe") }
                received += buffer[0..<count]
            }
        }
    }
}

struct ChromiumDevToolsError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
