/// The BPE merge rules as ids: for a pair of adjacent token ids, its rank (lower merges first) and the id of
/// the joined token. Built from merges.txt against vocab.json; immutable once built.
struct MergeTable: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var joinedID: Int32
    }

    private var merges: [UInt64: Merge]

    var count: Int { merges.count }

    /// Resolves each rule's two tokens and their concatenation in `vocabulary`. A rule listed again later
    /// replaces the earlier one, as in the reference.
    init(rules: [MergeRule], vocabulary: [[UInt8]: Int32], path: String, vocabularyPath: String) throws {
        merges = [:]
        merges.reserveCapacity(rules.count)
        func id(of token: [UInt8], line: Int) throws -> Int32 {
            guard let id = vocabulary[token] else {
                throw CLIPTokenizerError.malformedMerges(
                    path: path, line: line, reason: "the token \(quoted(token)) is not in \(vocabularyPath)")
            }
            return id
        }
        for (rank, rule) in rules.enumerated() {
            let left = try id(of: rule.left, line: rule.line)
            let right = try id(of: rule.right, line: rule.line)
            let joined = try id(of: rule.left + rule.right, line: rule.line)
            merges[Self.key(left, right)] = Merge(rank: Int32(truncatingIfNeeded: rank), joinedID: joined)
        }
    }

    /// The rule joining `left` followed by `right`, if any.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> Merge? {
        merges[Self.key(left, right)]
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }
}
