import Foundation

/// Command-line options of `gemm-bench`.
struct BenchOptions {
    var threadCounts = [1, 2]
    /// Token rows: 485 = 22×22 patches + 1 class token (352 px, ViT-B/16).
    var rows = 485
    var rounds = 30
    var warmUp = 3
    /// Keep the thread-waiting environment the bench was started with.
    var asLaunched = false

    static func parse(_ arguments: ArraySlice<String>) -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments
        while let flag = rest.popFirst() {
            if flag == "--as-launched" {
                options.asLaunched = true
                continue
            }
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            switch flag {
            case "--threads":
                options.threadCounts = value.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
                if options.threadCounts.isEmpty { fail("--threads wants counts like 1,2") }
            case "--rows": options.rows = positive(value, flag)
            case "--rounds": options.rounds = positive(value, flag)
            case "--warm-up": options.warmUp = positive(value, flag)
            default: fail("unknown option \(flag) (use --threads 1,2 --rows 485 --rounds 30 --warm-up 3 --as-launched)")
            }
        }
        return options
    }

    private static func positive(_ text: String, _ flag: String) -> Int {
        guard let value = Int(text), value > 0 else { fail("\(flag) wants a positive integer, got \(text)") }
        return value
    }
}

/// Prints `message` to standard error and exits with status 2.
func fail(_ message: String) -> Never {
    FileHandleOutput.standardError("gemm-bench: \(message)\n")
    exit(2)
}
