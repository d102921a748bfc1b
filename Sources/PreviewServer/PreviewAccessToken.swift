/// The random secret every request to a preview on a non-loopback address must carry (`?token=…`), and
/// every control request on any address: another web page open in the same browser cannot know it, so it
/// cannot change the run. 32 lowercase hex digits (128 bits from the system's random source).
public struct PreviewAccessToken: Sendable, Equatable, CustomStringConvertible {
    public let value: String

    /// A fresh random token.
    public init() {
        var generator = SystemRandomNumberGenerator()
        value = (0..<4).map { _ in
            let word = String(generator.next() as UInt32, radix: 16)
            return String(repeating: "0", count: 8 - word.count) + word
        }.joined()
    }

    /// A given token (tests).
    public init(value: String) { self.value = value }

    public var description: String { value }

    /// Compares in time independent of where the first difference is.
    public func matches(_ candidate: Substring?) -> Bool {
        guard let candidate else { return false }
        let expected = Array(value.utf8), given = Array(candidate.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }
}
