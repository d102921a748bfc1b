/// One JSON value of a batch manifest line, as decoded (numbers as Double), so that each field can be
/// checked with a message that names it.
enum ManifestValue: Decodable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ManifestValue])
    case object([String: ManifestValue])
    case null

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ManifestValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ManifestValue].self)) }
    }

    /// What the value is, for messages (`a number`, `a list`).
    var kindPhrase: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}
