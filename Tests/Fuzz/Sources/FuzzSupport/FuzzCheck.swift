import Foundation

/// Oracles the targets apply beyond "no crash": a broken one prints what broke and aborts, which
/// libFuzzer records as a crash and saves the input (`crash-…`) for a regression test.
public enum FuzzCheck {
    public static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                               file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { fail(message(), file: file, line: line) }
    }

    public static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        FileHandle.standardError.write(Data("FuzzCheck failed at \(file):\(line): \(message)\n".utf8))
        abort()
    }

    /// `CLIPSEG_FUZZ_VERBOSE=1` prints every refusal the targets see (for replaying single inputs).
    static let verbose = ProcessInfo.processInfo.environment["CLIPSEG_FUZZ_VERBOSE"] == "1"

    /// The project's error contract: a thrown error reads as one non-empty line.
    public static func requireOneLine(_ error: any Error, file: StaticString = #fileID, line: UInt = #line) {
        let text = "\(error)"
        if verbose { FileHandle.standardError.write(Data("refused: \(text)\n".utf8)) }
        require(!text.isEmpty && !text.contains(where: \.isNewline),
                "error message is not one non-empty line: \(text.debugDescription)", file: file, line: line)
    }
}
