import Foundation
import FuzzerDriver

/// The `main` of every fuzz target: `fuzz-X [libFuzzer options] [corpus folders]` hands control to
/// libFuzzer (`LLVMFuzzerRunDriver`), which calls `body` once per input; `fuzz-X --write-seeds DIR`
/// writes the target's built-in seed inputs into `DIR` and exits instead.
///
/// `body` gets libFuzzer's buffer, exactly the input's size (so AddressSanitizer catches a read one
/// byte past it), valid only during the call. It must return normally for every input; an input that
/// breaks a promise of the code under test ends the run through `FuzzCheck.fail`.
public enum FuzzEntry {
    public typealias Body = (UnsafeRawBufferPointer) -> Void

    /// Set once, before libFuzzer starts, and only read afterwards (libFuzzer calls back on this thread).
    nonisolated(unsafe) private static var body: Body?

    /// `prepare` runs once before the first input (fuzzing only, not `--write-seeds`): whatever the
    /// target keeps for the whole run is built there, with LeakSanitizer off. LeakSanitizer cannot
    /// follow every pointer Swift stores — a multi-payload enum keeps its case in the spare bits of a
    /// payload pointer, so a live `CLIPSegModel`'s refined upsampler weights read as a "direct leak"
    /// (README.md, Findings) — and libFuzzer's leak check after any input that allocates more than
    /// it frees would report such long-lived objects against that input.
    public static func run(seeds: () throws -> [Seed], prepare: () -> Void = {}, body: @escaping Body) -> Never {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            do {
                try write(try seeds(), to: URL(fileURLWithPath: arguments[2], isDirectory: true))
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("\(arguments[0]): cannot write seeds: \(error)\n".utf8))
                exit(1)
            }
        }
        __lsan_disable()
        prepare()
        __lsan_enable()
        Self.body = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }

    fileprivate static func callBody(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        body?(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    }

    private static func write(_ seeds: [Seed], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for seed in seeds {
            try Data(seed.bytes).write(to: folder.appendingPathComponent(seed.name))
        }
    }
}

/// One built-in seed input: a file name (for people reading the corpus) and its bytes.
public struct Seed {
    public var name: String
    public var bytes: [UInt8]

    public init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(_ name: String, text: String) {
        self.init(name, Array(text.utf8))
    }
}

/// libFuzzer's per-input hook under its conventional name. `-sanitize=fuzzer` links all of libFuzzer,
/// including its own `main` that calls this symbol; SwiftPM points `main` at the target's top-level
/// code instead, which reaches here through `LLVMFuzzerRunDriver`, but the symbol must still exist.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzEntry.callBody(data, size)
    return 0
}
