import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What SIGINT and SIGTERM do over a whole `clipseg segment` run, from the first line of `run()` (before
/// the model loads) to the end. `SegmentCommand` routes the first signal `InterruptHandler` reports here
/// (a second SIGINT still exits at once, as that handler does):
///
/// - during the setup steps that hold nothing a signal could leave broken (loading the model, preparing
///   the prompts, opening the input, which may wait forever on a pipe or a network source), it writes
///   `clipseg: interrupted while <step>` and exits at once with 130 (SIGINT) or 143 (SIGTERM);
/// - while the outputs are being opened it only records the signal: the setup thread stops at its next
///   `checkpoint()`, closes and removes the outputs it opened (nothing was written to them) and throws
///   `Interrupted`, whose `message` says which it removed;
/// - once `running(stop:)` hands it the pipeline's `stop`, a signal stops the run as before (drain,
///   finish the outputs, summary, 130/143); a signal recorded just before is passed on at that moment.
///
/// A signal while an output's opening blocks (a named pipe nobody reads yet, a network source opened again
/// for its audio) takes effect when that open returns; a second Ctrl-C exits at once meanwhile.
///
/// Test hook: with `CLIPSEG_SETUP_PAUSE=outputs` in the environment, setup stops once every output is
/// open, writes `clipseg: setup paused with the outputs open (CLIPSEG_SETUP_PAUSE)` and waits for a signal,
/// so that a test can send one at a known point (Tests/CLITests/SegmentEarlyEndTests).
///
/// Thread-safe: the signal queue, the setup thread and the session call it.
final class SegmentInterruption: Sendable {
    /// The environment variable of the test hook, and the value that pauses setup.
    static let pauseVariable = "CLIPSEG_SETUP_PAUSE"
    static let pauseWithOutputsOpen = "outputs"
    /// The setup steps, in order, as the message names them.
    enum Step: String, Sendable {
        case loadingModel = "loading the model"
        case preparingPrompts = "preparing the prompts"
        case openingInput = "opening the input"
        case openingOutputs = "opening the outputs"

        /// Files are open that must be closed and removed by the thread that opened them.
        var holdsOutputs: Bool { self == .openingOutputs }
    }

    /// A signal ended the setup; thrown by `checkpoint()`, completed with the outputs removed.
    struct Interrupted: Error, CustomStringConvertible {
        let signal: Int32
        let step: Step
        /// Outputs closed and removed because nothing was written to them, as named on the command line.
        var removedOutputs: [String] = []

        /// 128 + the signal number.
        var exitCode: Int32 { InterruptPolicy.exitCode(for: signal) }

        /// `clipseg: interrupted while opening the outputs; removed out.mp4 and m.y4m (nothing was written to them)`.
        var message: String {
            var text = "clipseg: interrupted while \(step.rawValue)"
            if !removedOutputs.isEmpty {
                let pronoun = removedOutputs.count == 1 ? "it" : "them"
                text += "; removed \(RemovableOutput.list(removedOutputs)) (nothing was written to \(pronoun))"
            }
            return text
        }

        var description: String { message }
    }

    private enum Stage {
        case setup(Step)
        case running(stop: @Sendable () -> Void)
    }

    private struct State {
        var stage = Stage.setup(.loadingModel)
        var signal: Int32?
    }

    private let state = Mutex(State())
    private let quiet: Bool
    /// Signalled when a signal is recorded during a step that holds outputs (wakes the test hook).
    private let recorded = DispatchSemaphore(value: 0)

    /// - Parameter quiet: `--quiet`: exit without the message.
    init(quiet: Bool) {
        self.quiet = quiet
    }

    /// The first signal received, if any (the exit status and the summary's "interrupted" depend on it).
    var signal: Int32? { state.withLock { $0.signal } }

    /// Called with the first SIGINT/SIGTERM (from `InterruptHandler`'s queue).
    func receive(_ signal: Int32) {
        let stop = state.withLock { state -> (@Sendable () -> Void)? in
            if state.signal == nil { state.signal = signal }
            switch state.stage {
            case .running(let stop):
                return stop
            case .setup(let step) where step.holdsOutputs:
                recorded.signal()
                return nil  // the setup thread stops at its next checkpoint
            case .setup(let step):
                // Still holding the lock, so the setup thread cannot move on to opening outputs meanwhile.
                if !quiet { StandardError.write("clipseg: interrupted while \(step.rawValue)") }
                _exit(InterruptPolicy.exitCode(for: signal))
            }
        }
        stop?()
    }

    /// Setup moves on to `step` (waits while a signal is ending the process at the previous one).
    func enter(_ step: Step) {
        state.withLock { $0.stage = .setup(step) }
    }

    /// Throws `Interrupted` when a signal came while outputs were being opened.
    func checkpoint() throws {
        let (stage, signal) = state.withLock { ($0.stage, $0.signal) }
        if case .setup(let step) = stage, let signal { throw Interrupted(signal: signal, step: step) }
    }

    /// The test hook (see the type's notes): waits for a signal when `CLIPSEG_SETUP_PAUSE=outputs`.
    func pauseIfAskedWithOutputsOpen() {
        guard ProcessInfo.processInfo.environment[Self.pauseVariable] == Self.pauseWithOutputsOpen else { return }
        StandardError.write("clipseg: setup paused with the outputs open (\(Self.pauseVariable))")
        recorded.wait()
    }

    /// The run starts: signals call `stop` from now on; a signal that came at the end of setup calls it now.
    func running(stop: @escaping @Sendable () -> Void) {
        let signalled = state.withLock { state -> Bool in
            state.stage = .running(stop: stop)
            return state.signal != nil
        }
        if signalled { stop() }
    }
}
