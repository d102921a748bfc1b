import ArgumentParser
import FileSafety
import Foundation
import MediaIO

/// `clipseg concat PIECE… -o OUTPUT`: joins the outputs of a video's time shards (`segment --start --duration`)
/// in the order given: videos without re-encoding (`MediaIO.VideoConcatenation`), y4m and raw gray mask streams
/// and NDJSON statistics byte for byte (`MediaIO.StreamConcatenation`). Written under a temporary name and
/// renamed when complete; never over a piece.
struct ConcatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concat",
        abstract: "Join the outputs of a video's time shards (segment --start T --duration D) in order.",
        discussion: """
        What is joined follows the output's extension (or --kind): a video (.mp4, .mkv, …) is remuxed without \
        re-encoding (the video stream only: shards carry no sound), each piece following the previous one's last \
        frame; .y4m mask streams keep the first header and every piece's frames (all headers must match); \
        .gray masks and .ndjson statistics are appended byte for byte (statistics lines keep the frame numbers \
        of the whole video). The shards of one run, joined in time order, give the same masks, statistics and \
        video frames as the whole run (with --smooth, --reuse and --follow-motion off, as they are for files by \
        default). Mask folders (png-dir) are not joined: their frame numbers already place them.

        Example:
          clipseg segment long.mp4 --prompt car --start 0 --duration 60 --masks a.y4m
          clipseg segment long.mp4 --prompt car --start 60 --duration 60 --masks b.y4m
          clipseg concat a.y4m b.y4m -o long.y4m
        """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case video, y4m, gray, ndjson
    }

    @Argument(help: ArgumentHelp("The pieces, in time order.", valueName: "PIECE"))
    var pieces: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The joined file.", valueName: "FILE"))
    var output: String

    @Option(help: ArgumentHelp("What the pieces are (default: from the output's extension: .y4m, .gray/.raw, "
                               + ".ndjson/.jsonl, else video).", valueName: "video|y4m|gray|ndjson"))
    var kind: Kind?

    @OptionGroup(title: "Existing outputs")
    var overwriteOptions: OverwriteOptions

    func validate() throws {
        if pieces.isEmpty { throw ValidationError("give the pieces to join, in time order") }
        if output == "-" { throw ValidationError("-o -: concat writes a file (it is renamed when complete)") }
    }

    static func kind(of path: String) -> Kind {
        switch (path as NSString).pathExtension.lowercased() {
        case "y4m": return .y4m
        case "gray", "raw": return .gray
        case "ndjson", "jsonl": return .ndjson
        default: return .video
        }
    }

    func run() throws {
        var paths = OutputPaths()
        for piece in pieces {
            guard FileManager.default.fileExists(atPath: piece) else { throw CommandFailure.runtime("\(piece): no such file") }
            paths.input("PIECE", piece)
        }
        paths.output("-o", .file(output))
        try paths.verify(policy: overwriteOptions.policy)
        try Self.join(pieces, into: output, kind: kind ?? Self.kind(of: output))
    }

    /// Joins `pieces` into `output` through a partial file renamed when complete (removed on failure).
    static func join(_ pieces: [String], into output: String, kind: Kind) throws {
        let partial = PartialOutput(path: output, tag: "\(getpid())")
        do {
            switch kind {
            case .video: _ = try VideoConcatenation.join(pieces, into: partial.partialPath)
            case .y4m: try StreamConcatenation.join(pieces, into: partial.partialPath, kind: .y4mMasks)
            case .gray: try StreamConcatenation.join(pieces, into: partial.partialPath, kind: .rawBytes)
            case .ndjson: try StreamConcatenation.join(pieces, into: partial.partialPath, kind: .ndjson)
            }
            try partial.commit()
        } catch let error as MediaError {
            partial.discard()
            throw CommandFailure.runtime(String(describing: error).replacingOccurrences(of: partial.partialPath, with: output))
        } catch {
            partial.discard()
            throw error
        }
    }
}
