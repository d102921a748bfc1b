#if canImport(Glibc)
import Glibc
#endif

/// The file name pattern of a picture sequence, as FFmpeg's image2 muxer reads it: literal text with
/// exactly one frame number, `%d` or `%0Nd` (N digits, zero-padded; FFmpeg pads `%Nd` with zeros too), and `%%` for a literal `%`.
/// `frame_%05d.png` names `frame_00000.png`, `frame_00001.png`, …
public struct FrameNamePattern: Sendable, Equatable {
    /// Text before the number (with `%%` already turned into `%`).
    public let prefix: String
    /// Text after the number.
    public let suffix: String
    /// Zero-padded width of the number (0: as many digits as it has).
    public let width: Int

    /// Why a pattern cannot be used.
    public enum Problem: Error, Equatable, Sendable {
        /// A `%` that is not `%d`, `%0Nd` or `%%` (`%s`, `%5x`, a `%` at the end).
        case unsupportedConversion(String)
        /// No frame number, or more than one.
        case numberCount(Int)
        /// A `/` in the pattern (only the file name is a pattern; the folder is fixed).
        case folderInPattern

        public var description: String {
            switch self {
            case .unsupportedConversion(let conversion):
                return "'\(conversion)' is not a frame number; use %d or %05d (and %% for a literal %)"
            case .numberCount(let count):
                return count == 0 ? "no frame number (%d or %05d) in the name"
                                  : "\(count) frame numbers in the name; give exactly one (%d or %05d)"
            case .folderInPattern:
                return "only the file name may hold the frame number"
            }
        }
    }

    /// Parses a file name (no folder) such as `mask_%05d.png`.
    public init(name: String) throws {
        guard !name.contains("/") else { throw Problem.folderInPattern }
        var prefix = "", suffix = ""
        var width = 0, numbers = 0
        var characters = Array(name)[...]
        while let character = characters.popFirst() {
            guard character == "%" else {
                if numbers == 0 { prefix.append(character) } else { suffix.append(character) }
                continue
            }
            if characters.first == "%" {
                characters.removeFirst()
                if numbers == 0 { prefix.append("%") } else { suffix.append("%") }
                continue
            }
            var digits = ""
            while let next = characters.first, next.isASCII, next.isNumber {
                digits.append(next)
                characters.removeFirst()
            }
            guard characters.first == "d", digits.count <= 9 else {
                let end = characters.first.map { String($0) } ?? ""
                throw Problem.unsupportedConversion("%" + digits + end)
            }
            characters.removeFirst()
            width = Int(digits) ?? 0
            numbers += 1
        }
        guard numbers == 1 else { throw Problem.numberCount(numbers) }
        self.prefix = prefix
        self.suffix = suffix
        self.width = width
    }

    /// `%05d.png`: `00000.png`, `00001.png`, … (picture folders without a pattern of their own).
    public static let fiveDigitPNG = FrameNamePattern(prefix: "", width: 5, suffix: ".png")

    init(prefix: String, width: Int, suffix: String) {
        self.prefix = prefix
        self.width = width
        self.suffix = suffix
    }

    /// True when `name` contains a `%` (is meant as a pattern rather than a plain name).
    public static func looksLikePattern(_ name: String) -> Bool { name.contains("%") }

    /// The name of frame `number`.
    public func name(of number: Int) -> String {
        let digits = String(number)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits + suffix
    }

    /// True when `name` is one this pattern produces (or, for `%d`, any number of digits in its place).
    public func matches(_ name: String) -> Bool {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else {
            return false
        }
        let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard middle.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return width == 0 || middle.count >= width
    }

    /// True when some name could be produced by both patterns.
    public func overlaps(_ other: FrameNamePattern) -> Bool {
        (0..<3).contains { matches(other.name(of: $0)) || other.matches(name(of: $0)) }
            || (0..<3).contains { matches(other.name(of: 10_000_000 + $0)) }
    }

    /// The names in `folder` this pattern matches (regular files only), sorted; empty when the folder is
    /// missing or unreadable.
    public func existingFrames(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name != ".", name != "..", matches(name) else { continue }
            var info = stat()
            if lstat(folder + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG { names.append(name) }
        }
        return names.sorted()
    }
}
