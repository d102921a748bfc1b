/// A span of a source's timeline, `start ≤ t < start + duration`, in whole microseconds.
///
/// Times are integers so that shards cut at `start`, `start + duration`, `start + 2 × duration`, … tile the
/// timeline exactly: each frame belongs to exactly one shard, whatever the decimal values (`0.1 + 0.2` in
/// floating point is not `0.3`; in microseconds it is). A frame's timestamp (seconds, as `RGBFrame` has it)
/// is rounded to the nearest microsecond before it is compared.
public struct TimeWindow: Sendable, Equatable {
    /// First microsecond inside the window.
    public var start: Int64
    /// Length in microseconds; nil: to the end of the source.
    public var duration: Int64?

    public init(start: Int64 = 0, duration: Int64? = nil) {
        precondition(start >= 0 && (duration ?? 1) > 0, "TimeWindow needs start ≥ 0 and duration > 0")
        self.start = start
        self.duration = duration
    }

    /// The first microsecond after the window, nil when it runs to the end.
    public var end: Int64? { duration.map { start + $0 } }

    /// Where a timestamp (seconds) lies relative to the window.
    public enum Placement: Sendable, Equatable { case before, inside, after }

    public func placement(of timestamp: Double) -> Placement {
        let micro = Self.microseconds(timestamp)
        if micro < start { return .before }
        if let end, micro >= end { return .after }
        return .inside
    }

    /// `seconds` rounded to the nearest microsecond.
    public static func microseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }

    /// Start in seconds.
    public var startSeconds: Double { Double(start) / 1_000_000 }
    /// Duration in seconds, nil when it runs to the end.
    public var durationSeconds: Double? { duration.map { Double($0) / 1_000_000 } }

    /// A time written as seconds (`12`, `12.5`) or `[HH:]MM:SS[.fraction]` (`1:02:03.250`), in whole
    /// microseconds (digits past the sixth decimal are cut); nil when the text is neither or is negative.
    public static func parseTime(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var total: Int64 = 0
        for (position, part) in parts.enumerated() {
            let last = position == parts.count - 1
            if !last {
                guard !part.isEmpty, part.allSatisfy(\.isASCIIDigit), part.count <= 9, let value = Int64(part) else { return nil }
                if position > 0 && value >= 60 { return nil }
                total = total * 60 + value
                continue
            }
            let pieces = part.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count), pieces[0].allSatisfy(\.isASCIIDigit), pieces[0].count <= 12,
                  !(pieces[0].isEmpty && (pieces.count == 1 || pieces[1].isEmpty)) else { return nil }
            let whole = pieces[0].isEmpty ? 0 : Int64(pieces[0])!
            if parts.count > 1 && (whole >= 60 || pieces[0].isEmpty) { return nil }
            var fraction: Int64 = 0
            if pieces.count == 2 {
                guard pieces[1].allSatisfy(\.isASCIIDigit) else { return nil }
                let kept = pieces[1].prefix(6)
                let digits = kept + String(repeating: "0", count: 6 - kept.count)
                fraction = Int64(digits)!
            }
            total = total * 60 + whole
            return total * 1_000_000 + fraction
        }
        return nil
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
