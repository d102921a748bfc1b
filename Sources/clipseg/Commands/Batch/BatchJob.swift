import Foundation
import VideoFrames

/// One job of a batch: `clipseg segment` on one input (or one time shard of it) with its outputs.
struct BatchJob: Sendable {
    /// An output of the job: the `segment` option that writes it and its final path.
    struct Output: Sendable, Equatable {
        let role: String
        let path: String
    }

    /// The manifest line (1-based).
    let line: Int
    let id: String
    let input: String
    let prompts: [String]
    let options: [String]
    let outputs: [Output]
    let window: TimeWindow?

    /// True when every output exists as a file (`--resume` skips the job: outputs only get their names
    /// when complete).
    var isFinished: Bool {
        outputs.allSatisfy { output in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: output.path, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    /// The partial files the job writes under `tag` (one per output, same order).
    func partials(tag: String) -> [PartialOutput] { outputs.map { PartialOutput(path: $0.path, tag: tag) } }

    /// The `segment` command line writing to `partials`, with `threads` threads.
    func segmentArguments(partials: [PartialOutput], threads: Int, model: String?) -> [String] {
        var arguments = ["segment", input]
        for prompt in prompts { arguments += ["--prompt", prompt] }
        arguments += options
        for (output, partial) in zip(outputs, partials) { arguments += [output.role, partial.partialPath] }
        if let model, !options.contains("--model") { arguments += ["--model", model] }
        if let window {
            arguments += ["--start", Self.seconds(window.start)]
            if let duration = window.duration { arguments += ["--duration", Self.seconds(duration)] }
        }
        arguments += ["--threads", String(threads), "-y"]
        return arguments
    }

    /// Microseconds as exact decimal seconds (`61.5`, `0.000001`).
    static func seconds(_ microseconds: Int64) -> String {
        let whole = microseconds / 1_000_000, fraction = microseconds % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
