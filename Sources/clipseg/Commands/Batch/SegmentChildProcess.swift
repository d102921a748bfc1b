import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `clipseg segment` child of `clipseg batch`: this same binary, started with the job's arguments, its
/// standard error read line by line for progress (`progress: N…`), the frame count of its summary
/// (`done: N frames …`) and its `Error:` line. Standard input and output are /dev/null.
///
/// The child gets SIGKILL when the batch dies (`setpriv --pdeathsig KILL`, where util-linux has it), so a
/// batch killed with SIGKILL leaves no child writing. `run` blocks until the child has exited: call it on a
/// thread of its own (that thread must live as long as the child: the parent-death signal follows it).
final class SegmentChildProcess: @unchecked Sendable {
    /// How the child ended.
    struct Ending: Sendable {
        var exitStatus: Int32
        /// The signal that killed it, if one did.
        var signal: Int32?
        var frames: Int
        /// The child's last `Error:` line (without the prefix), or nil.
        var errorLine: String?
    }

    private let process = Process()
    private let lock = NSLock()
    private var framesSoFar = 0

    /// The binary this process runs (`/proc/self/exe` resolved), started through setpriv when it exists.
    static let launch: (executable: String, prefix: [String]) = {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let setpriv = "/usr/bin/setpriv"
        if FileManager.default.isExecutableFile(atPath: setpriv) { return (setpriv, ["--pdeathsig", "KILL", "--", own]) }
        return (own, [])
    }()

    init(arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: Self.launch.executable)
        process.arguments = Self.launch.prefix + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
    }

    /// Frames the child has reported so far (its progress lines, then its summary).
    var frames: Int { lock.withLock { framesSoFar } }

    /// Sends `signal` to the child (SIGINT: it finishes its outputs and exits 130).
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Starts the child and waits for it.
    func run() -> Ending {
        let pipe = Pipe()
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return Ending(exitStatus: 1, signal: nil, frames: 0, errorLine: "cannot start \(Self.launch.executable): \(error)")
        }
        var errorLine: String?
        var pending = Data()
        let reader = pipe.fileHandleForReading
        func take(_ line: Data) {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("Error: ") {
                errorLine = String(text.dropFirst("Error: ".count))
            } else if let count = Self.frameCount(in: text) {
                lock.withLock { framesSoFar = count }
            }
        }
        while let chunk = try? reader.read(upToCount: 4096), !chunk.isEmpty {
            pending += chunk
            while let newline = pending.firstIndex(of: 10) {
                take(pending[pending.startIndex..<newline])
                pending = Data(pending[(newline + 1)...])
            }
        }
        if !pending.isEmpty { take(pending) }
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal
        return Ending(exitStatus: killed ? 128 + process.terminationStatus : process.terminationStatus,
                      signal: killed ? process.terminationStatus : nil, frames: frames, errorLine: errorLine)
    }

    /// The frames a line of `segment`'s standard error reports: `progress: N/T frames …`, `progress: N frames …`,
    /// `done: N frames in …`, `interrupted: N frames in …`.
    static func frameCount(in line: String) -> Int? {
        for prefix in ["progress: ", "done: ", "interrupted: "] where line.hasPrefix(prefix) {
            let digits = line.dropFirst(prefix.count).prefix { $0.isNumber }
            let rest = line.dropFirst(prefix.count + digits.count)
            guard let value = Int(digits), rest.hasPrefix(" frames") || rest.hasPrefix("/") else { return nil }
            return value
        }
        return nil
    }
}
