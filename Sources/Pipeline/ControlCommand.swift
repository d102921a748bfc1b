import MaskRender
import UserText

/// A command read from `--control` (one per line), changing a running segmentation from the next frame on.
///
/// Grammar (keywords are case-insensitive, surrounding blanks ignored):
///
///     prompt add TEXT
///     prompt remove TEXT
///     prompt set TEXT[;TEXT...]     (empty items between semicolons are ignored)
///     threshold VALUE               (a number from 0 to 1, applied to the sigmoid probability)
///     smooth VALUE                  (weight of the newest frame in the masks' running average, over 0 and at
///                                    most 1; 1 turns smoothing off)
///     effect KIND TEXT              (KIND: keep, blur, pixelate, remove, redact[:COLOR], fill:COLOR, or none;
///                                    TEXT becomes a prompt if it is not one)
///     quit
public enum ControlCommand: Sendable, Equatable {
    case addPrompt(String)
    case removePrompt(String)
    case setPrompts([String])
    case threshold(Float)
    case smoothing(Float)
    /// `prompt`'s effect (nil: none, the prompt is drawn by `--mode` again).
    case effect(prompt: String, RegionEffect?)
    case quit

    /// The usage line quoted by parse errors.
    public static let usage = "prompt add TEXT | prompt remove TEXT | prompt set TEXT[;TEXT...] | threshold 0..1 | smooth 0..1 | effect KIND TEXT | quit"

    /// Parses one line given as raw bytes (without or with its line ending). Never traps: invalid UTF-8,
    /// an empty line, an unknown command or a bad number give a one-line error.
    public static func parse(_ line: some Collection<UInt8>) -> Result<ControlCommand, ControlCommandError> {
        guard let text = String(validating: line, as: UTF8.self) else {
            return .failure(ControlCommandError("control line is not valid UTF-8"))
        }
        return parse(text)
    }

    /// Parses one line of text (a trailing `\n` or `\r\n` is ignored).
    public static func parse(_ line: String) -> Result<ControlCommand, ControlCommandError> {
        let trimmed = line[...].trimmingBlanks()
        guard !trimmed.isEmpty else {
            return .failure(ControlCommandError("empty control line (expected \(usage))"))
        }
        let (keyword, rest) = trimmed.splitFirstWord()
        switch keyword.lowercased() {
        case "prompt":
            return parsePrompt(rest)
        case "threshold":
            return parseThreshold(rest)
        case "smooth":
            return parseSmoothing(rest)
        case "effect":
            return parseEffect(rest)
        case "quit":
            guard rest.isEmpty else {
                return .failure(ControlCommandError("quit takes no arguments, got '\(rest.escapingControlCharacters)'"))
            }
            return .success(.quit)
        default:
            let shown = keyword.escapingControlCharacters
            return .failure(ControlCommandError("unknown control command '\(shown)' (expected \(usage))"))
        }
    }

    private static func parsePrompt(_ arguments: Substring) -> Result<ControlCommand, ControlCommandError> {
        let (verb, text) = arguments.splitFirstWord()
        switch verb.lowercased() {
        case "add", "remove":
            guard !text.isEmpty else {
                return .failure(ControlCommandError("prompt \(verb.lowercased()) needs a prompt text"))
            }
            return .success(verb.lowercased() == "add" ? .addPrompt(String(text)) : .removePrompt(String(text)))
        case "set":
            let prompts = text.split(separator: ";").map { String($0[...].trimmingBlanks()) }.filter { !$0.isEmpty }
            guard !prompts.isEmpty else {
                return .failure(ControlCommandError("prompt set needs at least one prompt (TEXT[;TEXT...])"))
            }
            return .success(.setPrompts(prompts))
        case "":
            return .failure(ControlCommandError("prompt needs add, remove or set"))
        default:
            let shown = verb.escapingControlCharacters
            return .failure(ControlCommandError("unknown prompt command '\(shown)' (expected add, remove or set)"))
        }
    }

    private static func parseThreshold(_ argument: Substring) -> Result<ControlCommand, ControlCommandError> {
        guard !argument.isEmpty else {
            return .failure(ControlCommandError("threshold needs a number between 0 and 1"))
        }
        // Float(_:) reads a C string: it would stop at a NUL and take "0.5\0junk" for 0.5.
        guard !argument.contains("\0"), let value = Float(argument), value.isFinite, value >= 0, value <= 1 else {
            let shown = argument.escapingControlCharacters
            return .failure(ControlCommandError("threshold must be a number between 0 and 1, got '\(shown)'"))
        }
        return .success(.threshold(value))
    }
}

extension ControlCommand {
    fileprivate static func parseSmoothing(_ argument: Substring) -> Result<ControlCommand, ControlCommandError> {
        guard !argument.isEmpty else {
            return .failure(ControlCommandError("smooth needs a number over 0 and at most 1 (1 turns smoothing off)"))
        }
        guard !argument.contains("\0"), let value = Float(argument), value.isFinite, value > 0, value <= 1 else {
            let shown = argument.escapingControlCharacters
            return .failure(ControlCommandError("smooth must be a number over 0 and at most 1, got '\(shown)'"))
        }
        return .success(.smoothing(value))
    }
}

/// Why a control line was not understood: one line, meant to be printed as is (`clipseg: control: …`).
public struct ControlCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Substring {
    /// The first blank-separated word and the trimmed remainder.
    func splitFirstWord() -> (word: Substring, rest: Substring) {
        let text = trimmingBlanks()
        guard let space = text.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (text, Substring()) }
        return (text[..<space], text[space...].trimmingBlanks())
    }
}

extension ControlCommand {
    /// The kinds `effect KIND TEXT` takes, as the usage names them.
    static let effectKinds = "keep, blur, pixelate, remove, redact[:COLOR], fill:COLOR or none"

    fileprivate static func parseEffect(_ arguments: Substring) -> Result<ControlCommand, ControlCommandError> {
        let (kind, text) = arguments.splitFirstWord()
        guard !kind.isEmpty, !text.isEmpty else {
            return .failure(ControlCommandError("effect needs a kind (\(effectKinds)) and a prompt text"))
        }
        let parts = kind.split(separator: ":", maxSplits: 1).map(String.init)
        var color: RGBColor?
        if parts.count == 2 {
            switch RGBColor.parse(parts[1]) {
            case .success(let parsed): color = parsed
            case .failure(let error): return .failure(ControlCommandError("effect \(kind.escapingControlCharacters): \(error)"))
            }
        }
        let effect: RegionEffect?
        switch (parts[0].lowercased(), color) {
        case ("keep", nil): effect = .keep
        case ("blur", nil): effect = .blur
        case ("pixelate", nil): effect = .pixelate
        case ("remove", nil): effect = .remove
        case ("none", nil): effect = nil
        case ("redact", let color): effect = .redact(color ?? RGBColor(red: 0, green: 0, blue: 0))
        case ("fill", let color?): effect = .fill(color)
        default:
            return .failure(ControlCommandError("unknown effect '\(kind.escapingControlCharacters)' (expected \(effectKinds))"))
        }
        return .success(.effect(prompt: String(text), effect))
    }
}
