import CFFmpeg
import Foundation

/// How much FFmpeg's libraries print to standard error on their own.
///
/// MediaIO reports problems through thrown `MediaError`s and reader/writer `warnings` (FFmpeg's error
/// lines are captured into those whatever this level), so by default FFmpeg prints nothing (`.quiet`). The environment variable `CLIPSEG_FFMPEG_LOGLEVEL`
/// (`quiet`, `error`, `warning`, `info`, `verbose`, `debug`) overrides the default; a caller (the CLI's
/// `--verbose`) may set a level with `apply()` at any time. The level is process-wide.
public enum FFmpegLogLevel: String, Sendable, CaseIterable {
    case quiet, error, warning, info, verbose, debug

    var avValue: Int32 {
        switch self {
        case .quiet: return AV_LOG_QUIET
        case .error: return AV_LOG_ERROR
        case .warning: return AV_LOG_WARNING
        case .info: return AV_LOG_INFO
        case .verbose: return AV_LOG_VERBOSE
        case .debug: return AV_LOG_DEBUG
        }
    }

    /// Sets what FFmpeg prints to standard error, process-wide.
    public func apply() {
        FFmpegLogCapture.install(printLevel: avValue)
        FFmpegLogLevel.defaultApplied.markDone()
    }

    /// Applies the default (or the environment's choice) once, unless `apply()` already ran.
    static func applyDefaultOnce() {
        guard FFmpegLogLevel.defaultApplied.claim() else { return }
        let requested = ProcessInfo.processInfo.environment["CLIPSEG_FFMPEG_LOGLEVEL"]
        FFmpegLogCapture.install(printLevel: (requested.flatMap(FFmpegLogLevel.init(rawValue:)) ?? .quiet).avValue)
    }

    private static let defaultApplied = OnceFlag()
}

/// A thread-safe flag that is claimed at most once.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    /// True for the first caller only.
    func claim() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if done { return false }
        done = true
        return true
    }

    func markDone() {
        lock.lock(); defer { lock.unlock() }
        done = true
    }
}
