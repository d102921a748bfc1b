import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of running a child process to completion.
public struct ProcessResult: Sendable {
    /// Exit status, or 128 + signal number when killed by a signal.
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    /// True when the process was killed for running past its timeout.
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

public enum ChildProcess {
    /// `clipseg`'s default `--precision` is `auto`, which differs from CPU to CPU (bf16, int8 or fp32): children
    /// run in fp32 unless a test sets `CLIPSEG_PRECISION` itself (empty: `auto`), so that comparisons with
    /// float32 references and exact stderr hold on every CPU.
    public static let pinnedPrecision = ["CLIPSEG_PRECISION": "fp32"]

    /// This process's environment with `pinnedPrecision` (unless already set) and then `overrides`.
    public static func childEnvironment(_ overrides: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(pinnedPrecision) { current, _ in current }
            .merging(overrides) { $1 }
    }

    /// Runs `executable` with `arguments`, feeding `stdin` (if any), capturing stdout and stderr,
    /// and killing it with SIGKILL after `timeout` seconds.
    /// `environment` entries are added to (and override) the current environment, which gets
    /// `CLIPSEG_PRECISION=fp32` unless it or `environment` sets it (`pinnedPrecision`). `standardOutput` other
    /// than `.captured` sends the child's output elsewhere (`ProcessResult.stdout` is then empty).
    @discardableResult
    public static func run(
        _ executable: URL, _ arguments: [String],
        stdin: Data? = nil, environment: [String: String] = [:],
        currentDirectory: URL? = nil, timeout: TimeInterval = 120,
        standardOutput: ChildStandardOutput = .captured
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = childEnvironment(environment)
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }

        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = try standardOutput.destination(capturing: outPipe)
        process.standardError = errPipe
        process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe

        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isOut) in [(outPipe, true), (errPipe, false)] where !isOut || standardOutput == .captured {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOut: isOut)
                group.leave()
            }
        }
        try process.run()
        if let stdin {
            DispatchQueue.global().async {
                signal(SIGPIPE, SIG_IGN)
                try? inPipe.fileHandleForWriting.write(contentsOf: stdin)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        group.wait()
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return ProcessResult(status: status, stdout: collected.out, stderr: collected.err, timedOut: timedOut)
    }

    /// Runs a program found on `PATH` (e.g. `ffmpeg`, `ffprobe`).
    @discardableResult
    public static func runTool(_ name: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try run(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, timeout: timeout)
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var out = Data()
    private(set) var err = Data()
    func set(_ data: Data, isOut: Bool) {
        lock.lock(); defer { lock.unlock() }
        if isOut { out = data } else { err = data }
    }
}
