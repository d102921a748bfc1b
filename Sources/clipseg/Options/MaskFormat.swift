import ArgumentParser
import Foundation

/// How `--masks` is written (`--mask-format`).
enum MaskFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// YUV4MPEG2 gray (`Cmono`): self-describing, `ffmpeg -i -` reads it.
    case y4m
    /// Headerless gray8 bytes, width × height per mask.
    case gray
    /// A folder of numbered 8-bit PNG files (or a `%05d.png` pattern).
    case pngDirectory = "png-dir"

    /// The format for `--masks PATH` without `--mask-format`, from the name: `.y4m` (or no extension, or `-`)
    /// y4m; `.gray`/`.raw` raw gray; a folder (`dir/`, an existing folder) or a `%05d.png` pattern PNG files.
    /// A picture or video extension is refused (exit 64): y4m bytes in `masks.png` or `masks.mkv` would be
    /// unreadable under that name.
    static func inferred(for path: String) throws -> MaskFormat {
        if path == "-" { return .y4m }
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/") || path.contains("%")
            || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return .pngDirectory
        }
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "", "y4m": return .y4m
        case "gray", "raw": return .gray
        case "png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "pgm":
            let stem = (path as NSString).deletingPathExtension
            throw CommandFailure.usage("--masks \(path): a mask stream is one picture per frame; give a folder "
                                       + "(\(stem)/) or a pattern (\(stem)_%05d.png) for PNG files, or a .y4m file")
        default:
            throw CommandFailure.usage("--masks \(path): masks are written as .y4m (gray video), .gray (raw bytes) or "
                                       + "PNG files in a folder, not as .\(ext); for a video of the masks use -o FILE --mode matte")
        }
    }
}
