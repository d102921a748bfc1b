import UserText

/// One merge rule from merges.txt: the pair of adjacent tokens `left right` that BPE may join.
struct MergeRule: Equatable {
    /// 1-based line in merges.txt, for error messages.
    var line: Int
    /// The two tokens, as UTF-8 bytes of their byte-level spelling.
    var left: [UInt8]
    var right: [UInt8]
}

/// Reads merges.txt: one `LEFT RIGHT` rule per line, highest priority first, as the reference does:
/// lines starting with `#version` are skipped, every other line must split on single spaces into exactly
/// two tokens (a trailing `\r` is dropped, a final newline ends the file). The rule's rank is its position
/// among the rules.
enum MergesFileParser {
    static func parse(_ bytes: [UInt8], path: String) throws -> [MergeRule] {
        if let badLine = UTF8Validation.firstInvalidLine(in: bytes) {
            throw CLIPTokenizerError.malformedMerges(path: path, line: badLine, reason: "not valid UTF-8")
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let versionPrefix = Array("#version".utf8)
        var rules = [MergeRule]()
        rules.reserveCapacity(lines.count)
        for (offset, rawLine) in lines.enumerated() {
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.starts(with: versionPrefix) { continue }
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                let found = parts.count == 1 ? "one token"
                    : parts.count == 2 ? "an empty token" : "\(parts.count) space-separated fields"
                throw CLIPTokenizerError.malformedMerges(
                    path: path, line: offset + 1,
                    reason: "expected two tokens separated by one space, found \(found) in \(quoted(line))")
            }
            rules.append(MergeRule(line: offset + 1, left: Array(parts[0]), right: Array(parts[1])))
        }
        return rules
    }
}
