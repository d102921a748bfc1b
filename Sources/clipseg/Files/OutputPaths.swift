import FileSafety
import Foundation
import MediaIO
import UserText
#if canImport(Glibc)
import Glibc
#endif

/// Every path a command reads and writes, checked before anything is loaded or opened for writing:
/// - no output reaches an input or another output (by device and inode after links, or by folder and
///   name): exit 64, naming both options and the path;
/// - an output that exists is overwritten only as `OverwritePolicy` says (exit 1 otherwise);
/// - picture-sequence names are valid patterns.
/// With `-y`, `removeStaleFrames()` deletes a sequence's old frames just before the outputs open.
struct OutputPaths: Sendable {
    private(set) var inputs: [RoledPath<String>] = []
    private(set) var outputs: [RoledPath<OutputPlace>] = []
    /// The run reads standard input (INPUT `-` or `--control -`), so it cannot be asked a question there.
    var readsStandardInput = false

    /// Adds an input file (`-` is standard input). Paths that do not exist are ignored here.
    mutating func input(_ role: String, _ path: String) {
        inputs.append(RoledPath(role: role, place: path))
        if path == "-" { readsStandardInput = true }
    }

    /// Adds the files of a model folder (config, weights, tokenizer) as inputs.
    mutating func modelFolder(_ role: String, _ folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() { input(role, folder.appendingPathComponent(name).path) }
    }

    mutating func output(_ role: String, _ place: OutputPlace) {
        outputs.append(RoledPath(role: role, place: place))
    }

    /// The place of a single-file output: standard output for `-`, else the file.
    static func file(_ path: String) -> OutputPlace { path == "-" ? .standardOutput : .file(path) }

    /// The place of a picture sequence named by a folder (frames `%05d.png` inside) or by a pattern
    /// (`dir/mask_%04d.png`). Throws a usage failure naming `role` for a pattern FFmpeg cannot fill.
    static func frames(_ role: String, _ path: String, defaultName: String = "%05d.png") throws -> OutputPlace {
        guard FrameNamePattern.looksLikePattern((path as NSString).lastPathComponent), !path.hasSuffix("/") else {
            return .frames(folder: path, pattern: try FrameNamePattern(name: defaultName))
        }
        let name = (path as NSString).lastPathComponent
        let folder = (path as NSString).deletingLastPathComponent
        do {
            return .frames(folder: folder.isEmpty ? "." : folder, pattern: try FrameNamePattern(name: name))
        } catch let problem as FrameNamePattern.Problem {
            throw CommandFailure.usage("\(role) \(path): \(problem.description)")
        }
    }

    /// The place of a video output (`-o`): standard output, a picture sequence (a folder, `dir/`, or a
    /// `%05d.png` pattern) or a file. A picture extension without a frame number is refused: one file cannot
    /// hold every frame.
    static func video(_ role: String, _ path: String) throws -> OutputPlace {
        if path == "-" { return .standardOutput }
        if path.hasSuffix("/") || path.contains("%") || FileIdentity(path: path)?.kind == .directory {
            return try frames(role, path)
        }
        let ext = (path as NSString).pathExtension.lowercased()
        if ["png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp"].contains(ext) {
            let stem = (path as NSString).deletingPathExtension
            throw CommandFailure.usage("\(role) \(path): one picture cannot hold every frame; give a pattern "
                                       + "(\(stem)_%05d.\(ext)) or a folder (\(stem)/) for one \(ext.uppercased()) per frame")
        }
        do {
            try VideoWriter.checkOutputName(path)
        } catch let error as MediaError {
            throw CommandFailure.usage("\(role) \(error)")
        }
        return .file(path)
    }

    /// Checks clashes and existing outputs (see the type's comment).
    func verify(policy: OverwritePolicy) throws {
        if let clash = PathClashCheck.firstClash(inputs: inputs, outputs: outputs) {
            throw CommandFailure.usage(Self.message(for: clash))
        }
        for output in outputs { try verifyExisting(output, policy: policy) }
    }

    /// Removes the old frames of each picture sequence (after `-y`, or a yes on the terminal).
    func removeStaleFrames() throws {
        for case .frames(let folder, let pattern) in outputs.map(\.place) {
            for name in pattern.existingFrames(in: folder) where unlink(folder + "/" + name) != 0 && errno != ENOENT {
                throw CommandFailure.runtime("cannot remove the old frame \(folder)/\(name) (\(String(cString: strerror(errno))))")
            }
        }
    }

    static func message(for clash: PathClash) -> String {
        let output = "\(clash.outputRole) \(clash.outputPath)"
        let other = clash.otherRole == "INPUT" ? "the input \(clash.otherPath)" : "\(clash.otherRole) \(clash.otherPath)"
        if clash.otherIsInput {
            return "\(output) would write over \(other) (the same file); an output never replaces an input"
        }
        return "\(output) and \(other) would write to the same file; give each output its own name"
    }

    private func verifyExisting(_ output: RoledPath<OutputPlace>, policy: OverwritePolicy) throws {
        switch output.place {
        case .standardOutput:
            return
        case .file(let path):
            guard let identity = FileIdentity(path: path) else { return }
            switch identity.kind {
            case .regular:
                try permit("\(output.role) \(path)", what: "\(path) already exists", policy: policy)
            case .directory:
                throw CommandFailure.usage("\(output.role) \(path) is a folder; give a file name")
            default:
                return  // a device, pipe or socket: written in place, nothing replaced
            }
        case .frames(let folder, let pattern):
            if let identity = FileIdentity(path: folder), identity.kind != .directory {
                throw CommandFailure.usage("\(output.role) \(folder) is \(identity.kind.phrase), not a folder for picture files")
            }
            let stale = pattern.existingFrames(in: folder)
            guard let first = stale.first else { return }
            let count = stale.count == 1 ? "a frame" : "\(stale.count) frames"
            try permit("\(output.role) \(output.place.path)", what: "\(folder) already holds \(count) (\(first) …)",
                       policy: policy)
        }
    }

    /// Lets an existing output be overwritten, or throws (runtime failure, exit 1).
    private func permit(_ subject: String, what: String, policy: OverwritePolicy) throws {
        switch policy {
        case .always:
            return
        case .never:
            throw CommandFailure.runtime("\(subject): \(what); not overwritten (-n)")
        case .ask:
            if !readsStandardInput, isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 {
                StandardError.writeRaw("\(what.escapingControlCharacters). Overwrite? [y/N] ")
                let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased()
                if answer == "y" || answer == "yes" { return }
                throw CommandFailure.runtime("\(subject): \(what); not overwritten")
            }
            throw CommandFailure.runtime("\(subject): \(what); add -y to overwrite it (or -n to never overwrite)")
        }
    }
}
