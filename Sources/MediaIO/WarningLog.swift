/// One-line warnings collected by a reader or writer, oldest first, capped so that a stream of
/// garbage cannot grow it without bound (the overflow is counted in a last line).
struct WarningLog: Sendable {
    /// Most messages kept verbatim.
    static let capacity = 100

    private var kept: [String] = []
    private var dropped = 0

    mutating func append(_ message: String) {
        if kept.count < WarningLog.capacity { kept.append(message) } else { dropped += 1 }
    }

    /// The kept messages, plus "… and N more warnings" when some were dropped.
    var messages: [String] {
        dropped == 0 ? kept : kept + ["… and \(dropped) more warnings"]
    }

    var isEmpty: Bool { kept.isEmpty }
    var last: String? { kept.last }
}
