import Foundation
import VideoFrames

/// A `clipseg batch` manifest: JSON Lines, one job per line (blank lines ignored):
///
///     {"input": "clips/a.mp4", "prompts": ["a dog"], "masks": "out/a.y4m", "stats": "out/a.ndjson",
///      "output": "out/a.mp4", "options": ["--threshold", "0.4"], "start": 0, "duration": 60, "id": "a"}
///
/// - `input` (string, required): a video file or URL (not `-`, not a camera).
/// - `prompts` (list of strings): text prompts (`--prompt`); may be empty when `options` give `--image-prompt`.
/// - `output`, `masks`, `stats` (strings; at least one): the video, the mask stream (.y4m or .gray: a file, not
///   a folder) and the statistics. Each is written under a temporary name and renamed when the job succeeded.
/// - `options` (list of strings): any other `segment` options, passed as given, except those `batch` sets
///   itself (outputs, `--threads`, `-y`/`-n`, `--quiet`, `--control`, `--start`/`--duration`).
/// - `start`, `duration` (seconds as numbers, or `"[HH:]MM:SS[.ms]"` strings): a time shard (`--start`, `--duration`).
/// - `id` (string): the job's name in the summary and the report (default `line N`).
///
/// Relative paths are relative to the folder `batch` runs in. Errors name the line and the field.
struct BatchManifest {
    let jobs: [BatchJob]

    /// A manifest that cannot be run: the line (1-based) and why.
    struct Problem: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static let fields: Set<String> = ["input", "prompts", "output", "masks", "stats", "options", "start", "duration", "id"]
    /// `segment` options `batch` sets itself.
    static let reservedOptions: Set<String> = ["-o", "--output", "--masks", "--stats", "--threads", "-y", "--overwrite",
                                               "-n", "--no-overwrite", "--quiet", "--control", "--start", "--duration",
                                               "--mask-format"]

    init(text: String) throws {
        var jobs: [BatchJob] = []
        var owners: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineText = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if lineText.isEmpty { continue }
            let job = try Self.job(lineText, line: offset + 1)
            for path in job.outputs.map(\.path) + [job.input] {
                let key = URL(fileURLWithPath: path).standardizedFileURL.path
                if let other = owners[key] {
                    let what = path == job.input ? "input \(path) is" : "output \(path) is"
                    throw Problem(line: offset + 1, reason: "\(what) also an output or input of line \(other)")
                }
                if path != job.input { owners[key] = offset + 1 }
            }
            jobs.append(job)
        }
        // Inputs may repeat (shards of one video); an input may not be another job's output.
        for job in jobs {
            if let owner = owners[URL(fileURLWithPath: job.input).standardizedFileURL.path] {
                throw Problem(line: job.line, reason: "input \(job.input) is an output of line \(owner)")
            }
        }
        guard !jobs.isEmpty else { throw Problem(line: 1, reason: "the manifest holds no job") }
        self.jobs = jobs
    }

    private static func job(_ text: String, line: Int) throws -> BatchJob {
        func fail(_ reason: String) -> Problem { Problem(line: line, reason: reason) }
        let value: ManifestValue
        do {
            value = try JSONDecoder().decode(ManifestValue.self, from: Data(text.utf8))
        } catch {
            throw fail("not a JSON object (\(Self.jsonProblem(error)))")
        }
        guard case .object(let object) = value else { throw fail("a job is a JSON object, not \(value.kindPhrase)") }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw fail("unknown field \"\(unknown)\" (fields: \(fields.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) throws -> String? {
            guard let field = object[key] else { return nil }
            guard case .string(let text) = field, !text.isEmpty else { throw fail("\"\(key)\" must be a non-empty string, not \(field.kindPhrase)") }
            return text
        }
        func strings(_ key: String) throws -> [String] {
            guard let field = object[key] else { return [] }
            guard case .array(let items) = field else { throw fail("\"\(key)\" must be a list of strings, not \(field.kindPhrase)") }
            return try items.map { item in
                guard case .string(let text) = item else { throw fail("\"\(key)\" must hold strings, not \(item.kindPhrase)") }
                return text
            }
        }
        func time(_ key: String) throws -> Int64? {
            switch object[key] {
            case nil: return nil
            case .number(let seconds)?:
                guard seconds >= 0, seconds.isFinite else { throw fail("\"\(key)\" must be 0 or more seconds") }
                return TimeWindow.microseconds(seconds)
            case .string(let text)?:
                guard let value = TimeWindow.parseTime(text) else { throw fail("\"\(key)\": \"\(text)\" is not seconds or [HH:]MM:SS[.ms]") }
                return value
            case let other?:
                throw fail("\"\(key)\" must be seconds or \"[HH:]MM:SS[.ms]\", not \(other.kindPhrase)")
            }
        }
        guard let input = try string("input") else { throw fail("\"input\" is missing") }
        if input == "-" || input.hasPrefix("/dev/video") || input.hasPrefix("camera:") {
            throw fail("\"input\" \(input): a batch job reads a file or URL, not standard input or a camera")
        }
        let prompts = try strings("prompts")
        let options = try strings("options")
        if prompts.isEmpty && !options.contains("--image-prompt") && !options.contains("--prompt") {
            throw fail("\"prompts\" is missing or empty (give text prompts, or --image-prompt in \"options\")")
        }
        if let reserved = options.first(where: { option in
            reservedOptions.contains(option) || reservedOptions.contains(where: { option.hasPrefix($0 + "=") })
        }) {
            throw fail("\"options\" may not hold \(reserved): batch sets it (use \"output\", \"masks\", \"stats\", "
                       + "\"start\", \"duration\"; --threads and -y are batch's own options)")
        }
        var outputs: [BatchJob.Output] = []
        for (key, role) in [("output", "-o"), ("masks", "--masks"), ("stats", "--stats")] {
            guard let path = try string(key) else { continue }
            if path == "-" { throw fail("\"\(key)\" must be a file, not standard output") }
            if key == "masks", !["y4m", "gray", "raw"].contains((path as NSString).pathExtension.lowercased()) {
                throw fail("\"masks\" \(path): batch writes .y4m or .gray mask files (a folder cannot be renamed into place whole)")
            }
            if key == "output", path.hasSuffix("/") || path.contains("%") {
                throw fail("\"output\" \(path): batch writes video files (a picture folder cannot be renamed into place whole)")
            }
            outputs.append(BatchJob.Output(role: role, path: path))
        }
        if outputs.isEmpty { throw fail("nothing to write: give \"output\", \"masks\" or \"stats\"") }
        let start = try time("start"), duration = try time("duration")
        if duration == 0 { throw fail("\"duration\" must be more than 0") }
        let window = start == nil && duration == nil ? nil : TimeWindow(start: start ?? 0, duration: duration)
        return BatchJob(line: line, id: try string("id") ?? "line \(line)", input: input, prompts: prompts,
                        options: options, outputs: outputs, window: window)
    }

    private static func jsonProblem(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return String(describing: error)
    }
}
