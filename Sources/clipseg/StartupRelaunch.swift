import Foundation
import ReducedPrecision
import TensorKit
#if canImport(Glibc)
import Glibc
#endif

/// The one re-execution `clipseg` may do at start-up, before anything is read, written or started,
/// to give its math libraries settings they only read when loaded:
/// - OpenBLAS's AVX-512 kernels when it picked its AVX2 ones on an AVX-512 CPU
///   (`BLASKernelSelection.relaunchSettings`; a user's own `OPENBLAS_CORETYPE` is respected);
/// - with `--precision bf16|int8`, idle OpenMP and OpenBLAS workers that sleep instead of spinning
///   (`ThreadWaitPolicy.quietSettings`; a user's own values are respected), because oneDNN and
///   OpenBLAS then take turns on the same cores.
/// Everything needed is folded into a single `execv` of `/proc/self/exe` with the same arguments and
/// process id; a relaunched process finds nothing missing, so it cannot loop.
enum StartupRelaunch {
    /// The variables to add for this process (empty: no relaunch).
    static func missingSettings(arguments: [String]) -> [(name: String, value: String)] {
        var settings = BLASKernelSelection.relaunchSettings
        if PrecisionChoice.isReducedRequested(in: arguments) {
            let environment = ProcessInfo.processInfo.environment
            settings += ThreadWaitPolicy.quietSettings.filter { (environment[$0.name] ?? "").isEmpty }
        }
        return settings
    }

    /// Re-executes the program with `missingSettings` added, or returns when none are missing or the
    /// exec fails (the environment is then restored and the program runs as it is).
    static func performIfNeeded() {
        let settings = missingSettings(arguments: CommandLine.arguments)
        guard !settings.isEmpty else { return }
        let previous = settings.map { ($0.name, getenv($0.name).map { String(cString: $0) }) }
        for setting in settings where setenv(setting.name, setting.value, 1) != 0 {
            restore(previous)
            return
        }
        fflush(nil)  // what was printed must not be lost or printed twice
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        restore(previous)
    }

    private static func restore(_ previous: [(String, String?)]) {
        for (name, value) in previous {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
}
