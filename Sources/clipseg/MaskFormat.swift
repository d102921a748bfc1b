import ArgumentParser

/// How `--masks` is written (`--mask-format`).
enum MaskFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// YUV4MPEG2 gray (`Cmono`): self-describing, `ffmpeg -i -` reads it.
    case y4m
    /// Headerless gray8 bytes, width × height per mask.
    case gray
    /// A folder of numbered 8-bit PNG files.
    case pngDirectory = "png-dir"
}
