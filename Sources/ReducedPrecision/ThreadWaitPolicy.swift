import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the idle workers of this program's two math thread pools wait, and how to make them
/// sleep instead of spin.
///
/// oneDNN runs on OpenMP (libgomp) and OpenBLAS on its own pthreads. After each call both keep
/// their workers spinning for a while (libgomp by default ~300k polls; OpenBLAS 2^28 cycles,
/// ≈ 70 ms). When the two take turns on 2 cores — oneDNN linear layers, then OpenBLAS attention
/// — each finds the cores busy with the other's spinners: measured here, bf16 layers at 2 threads
/// fell from ≈ 380 to ≈ 80 GFLOP/s and attention from 3 to 70 ms. `OMP_WAIT_POLICY=PASSIVE` and
/// `OPENBLAS_THREAD_TIMEOUT=4` end that. Both libraries read these only when they are loaded, at
/// process start, so a running process cannot change them: `restartQuietlyIfNeeded()` re-runs
/// the program with them instead.
public enum ThreadWaitPolicy {
    /// The environment settings that make both pools sleep soon after a call.
    public static let quietSettings: [(name: String, value: String)] = [("OMP_WAIT_POLICY", "PASSIVE"),
                                                                         ("OPENBLAS_THREAD_TIMEOUT", "4")]

    /// The environment this process image started with (what the libraries read when loaded),
    /// from `/proc/self/environ`; later `setenv` calls do not show here.
    public static var startupEnvironment: [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/self/environ") else {
            return ProcessInfo.processInfo.environment
        }
        var environment: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return environment
    }

    /// Whether every quiet setting's variable was set (to anything but empty) at startup; a
    /// user's own value counts, and is never overridden.
    public static var isQuiet: Bool {
        let environment = startupEnvironment
        return quietSettings.allSatisfy { !(environment[$0.name] ?? "").isEmpty }
    }

    /// One line for logs, e.g. `OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4`, unset ones as `NAME unset`.
    public static var summary: String {
        let environment = startupEnvironment
        return quietSettings.map { setting in
            let value = environment[setting.name] ?? ""
            return value.isEmpty ? "\(setting.name) unset" : "\(setting.name)=\(value)"
        }.joined(separator: " ")
    }

    /// Replaces this process by a new run of the same program (same arguments, same pid) whose
    /// environment adds the quiet settings that were missing. Call it first thing in `main`,
    /// before any thread starts. Returns without doing anything when nothing is missing (so it
    /// cannot loop), and returns — leaving the process as it was — if the exec fails.
    public static func restartQuietlyIfNeeded() {
        guard !isQuiet else { return }
        var environment = ProcessInfo.processInfo.environment
        for setting in quietSettings where (environment[setting.name] ?? "").isEmpty {
            environment[setting.name] = setting.value
        }
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        let entries = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            entries.forEach { free($0) }
        }
        fflush(nil)  // all C streams: what was printed must not be lost or printed twice
        _ = execve("/proc/self/exe", arguments, entries)
    }
}
