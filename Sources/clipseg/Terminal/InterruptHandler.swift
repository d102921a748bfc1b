import Foundation
import StreamKit
#if canImport(Glibc)
import Glibc
#endif

/// What to do on each SIGINT/SIGTERM: the first starts a clean shutdown (stop capture, drain, finalise
/// outputs, print the summary, then exit 130 for SIGINT or 143 for SIGTERM); a second SIGINT exits at once.
struct InterruptPolicy: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// Stop reading and drain; exit with `exitCode` when done.
        case beginShutdown(exitCode: Int32)
        /// Exit immediately with this code (outputs may be left unfinished).
        case exitNow(exitCode: Int32)
        /// Already shutting down; nothing more to do.
        case ignore
    }

    /// The first signal received, if any.
    private(set) var firstSignal: Int32?

    init() {}

    /// The exit code a run stopped by `signal` ends with (128 + signal number: 130 for SIGINT, 143 for SIGTERM).
    static func exitCode(for signal: Int32) -> Int32 { 128 + signal }

    mutating func receive(_ signal: Int32) -> Action {
        guard firstSignal != nil else {
            firstSignal = signal
            return .beginShutdown(exitCode: Self.exitCode(for: signal))
        }
        return signal == SIGINT ? .exitNow(exitCode: Self.exitCode(for: signal)) : .ignore
    }
}

/// Catches SIGINT and SIGTERM (through Dispatch signal sources, not in an async-signal handler) and
/// applies `InterruptPolicy`: the first calls `onShutdown` with the exit code to use later, a second
/// SIGINT writes `clipseg: interrupted again, exiting now` to stderr and exits at once.
///
/// Dispatch registers signal sources asynchronously: a signal arriving within the first moments after
/// `init` may be lost (the signals are ignored from `init` on, so it is lost, not fatal).
///
/// `@unchecked Sendable`: the Dispatch sources are set up in `init` and only cancelled afterwards
/// (Dispatch sources are thread-safe); the policy is behind a lock.
final class InterruptHandler: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let policy = LockedState(InterruptPolicy())

    /// Installs the handlers. `onShutdown` runs on a Dispatch queue, once. Keep the handler referenced
    /// for the whole run: releasing it uninstalls it.
    init(onShutdown: @escaping @Sendable (_ signal: Int32, _ exitCode: Int32) -> Void) {
        let queue = DispatchQueue(label: "clipseg-signals")
        var sources: [any DispatchSourceSignal] = []
        let policy = self.policy
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // the Dispatch source sees it; the default action must not run
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                switch policy.withLock({ $0.receive(number) }) {
                case .beginShutdown(let code):
                    onShutdown(number, code)
                case .exitNow(let code):
                    let message = "clipseg: interrupted again, exiting now\n"
                    _ = message.withCString { write(2, $0, strlen($0)) }
                    _exit(code)
                case .ignore:
                    break
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// The first signal received, if any (to pick the exit code at the end of the run).
    var firstSignal: Int32? { policy.withLock { $0.firstSignal } }

    deinit { uninstall() }

    /// Removes the handlers and restores the default actions.
    func uninstall() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
