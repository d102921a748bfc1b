import ArgumentParser
import MediaIO
import Pipeline

/// `--max-pixels N` (`segment`, `image`): the largest picture, in pixels, an input may have — the video's
/// frames, the image, image prompts, a background picture. Larger ones are refused when the input opens,
/// before they are decoded (`PixelLimit`, 120 million by default).
struct MaxPixelsOption: ExpressibleByArgument, Sendable {
    let pixels: Int

    init(pixels: Int) { self.pixels = pixels }

    init?(argument: String) {
        guard let value = Int(argument), value > 0 else { return nil }
        pixels = value
    }

    var defaultValueDescription: String { String(pixels) }

    static let standard = MaxPixelsOption(pixels: PixelLimit.defaultMaximum)

    static let help = ArgumentHelp(
        "Refuse pictures of more than N pixels (width × height) before decoding them (default: 120000000).",
        discussion: "Applies to the input's frames or picture, image prompts and background pictures. "
            + "Raise it for larger pictures when the machine has the memory: e.g. --max-pixels 200000000.",
        valueName: "N")

    /// Runs `body`, turning the library's refusal of a picture into one line that names this option.
    static func explaining<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch let MediaError.tooManyPixels(name, width, height, limit) {
            let pixels = width.multipliedReportingOverflow(by: height).partialValue
            throw CommandFailure.runtime(
                "\(name.escapingControlCharacters) is \(width)×\(height) pixels, more than --max-pixels \(limit) "
                + "allows; pass --max-pixels \(pixels) or more to read it")
        }
    }
}
