/// A JSON value as the header scanner reads it.
///
/// Unlike `JSONSerialization`, objects keep their members in file order with duplicates, so the
/// header validator can refuse a tensor name or field that appears twice. Numbers keep their literal
/// text (already checked against the JSON grammar); `integerValue` reads the integral ones.
enum JSONValue: Equatable, Sendable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// "a JSON object", "a JSON string", … for error messages.
    var kindDescription: String {
        switch self {
        case .object: return "a JSON object"
        case .array: return "a JSON array"
        case .string: return "a JSON string"
        case .number: return "a JSON number"
        case .bool: return "a JSON boolean"
        case .null: return "JSON null"
        }
    }

    /// A short rendering of the value for error messages: the literal for scalars, the kind otherwise.
    var shortDescription: String {
        switch self {
        case .number(let text): return text
        case .string(let text): return "\"\(text)\""
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .object, .array: return kindDescription
        }
    }

    /// The value of an integral number literal (`-?(0|[1-9][0-9]*)`) that fits in Int64;
    /// nil for fractions, exponents, out-of-range literals and every non-number.
    var integerValue: Int64? {
        guard case .number(let text) = self else { return nil }
        var utf8 = text.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        guard !utf8.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}

/// One `"key": value` pair of a JSON object, with the header offset of its key's opening quote.
struct JSONMember: Equatable, Sendable {
    let key: String
    let value: JSONValue
    let offset: Int
}
