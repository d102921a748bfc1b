/// Which file the rest of a config-target input is: the first byte `c` (config.json), `p`
/// (preprocessor_config.json) or `t` (tokenizer_config.json); any other byte picks by its value mod 3.
enum ConfigurationInput {
    case model, preprocessor, tokenizer

    static let tags: [UInt8] = [UInt8(ascii: "c"), UInt8(ascii: "p"), UInt8(ascii: "t")]

    init?(tag: UInt8?) {
        guard let tag else { return nil }
        switch Self.tags.firstIndex(of: tag) ?? Int(tag) % 3 {
        case 0: self = .model
        case 1: self = .preprocessor
        default: self = .tokenizer
        }
    }

    var tag: UInt8 {
        switch self {
        case .model: Self.tags[0]
        case .preprocessor: Self.tags[1]
        case .tokenizer: Self.tags[2]
        }
    }
}
