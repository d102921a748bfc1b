/// Finds outputs that would destroy an input or each other, before anything is opened: paths are compared
/// by what they reach (device and inode after following links, or the folder and name where a file would be
/// created), so symlinks, hard links, `..` and picture-sequence folders cannot hide a clash.
///
/// Inputs are paths (`-` is standard input, compared through its descriptor); those that do not exist are
/// ignored (opening them fails later, with its own message). Any number of outputs may write to the null
/// device.
public enum PathClashCheck {
    /// The first clash, outputs in order: each against every input, then against the outputs before it.
    public static func firstClash(inputs: [RoledPath<String>], outputs: [RoledPath<OutputPlace>]) -> PathClash? {
        let readers = inputs.compactMap(Resolved.init(input:))
        var writers: [Resolved] = []
        for output in outputs {
            let writer = Resolved(output: output)
            for reader in readers where writer.writesOver(reader) {
                return PathClash(outputRole: output.role, outputPath: output.place.path,
                                 otherRole: reader.role, otherPath: reader.path, otherIsInput: true)
            }
            for earlier in writers where writer.writesOver(earlier) || earlier.writesOver(writer) {
                return PathClash(outputRole: output.role, outputPath: output.place.path,
                                 otherRole: earlier.role, otherPath: earlier.path, otherIsInput: false)
            }
            writers.append(writer)
        }
        return nil
    }

    /// One path with what it reaches.
    private struct Resolved {
        let role: String
        let path: String
        /// The file there now (nil: nothing yet, or a picture sequence).
        let identity: FileIdentity?
        /// The folder and name a file at this path is written as (nil: standard output or a sequence).
        let slot: (folder: PathLocation, name: String)?
        /// For a picture sequence: its folder and pattern.
        let frames: (folder: PathLocation, pattern: FrameNamePattern)?

        init?(input: RoledPath<String>) {
            role = input.role
            path = input.place
            frames = nil
            if input.place == "-" {
                guard let identity = FileIdentity(descriptor: 0) else { return nil }
                self.identity = identity
                slot = nil
            } else {
                guard let identity = FileIdentity(path: input.place) else { return nil }
                self.identity = identity
                slot = PathLocation.slot(of: input.place)
            }
        }

        init(output: RoledPath<OutputPlace>) {
            role = output.role
            path = output.place.path
            switch output.place {
            case .standardOutput:
                identity = FileIdentity(descriptor: 1)
                slot = nil
                frames = nil
            case .file(let file):
                identity = FileIdentity(path: file)
                slot = PathLocation.slot(of: file)
                frames = nil
            case .frames(let folder, let pattern):
                identity = nil
                slot = nil
                frames = (PathLocation(path: folder), pattern)
            }
        }

        /// True when writing `self` destroys what `other` is (or writes where `other` writes).
        func writesOver(_ other: Resolved) -> Bool {
            if let mine = identity, let theirs = other.identity, mine == theirs {
                return !mine.isNullDevice
            }
            if let mine = slot, let theirs = other.slot, mine.folder == theirs.folder, mine.name == theirs.name {
                return !(identity?.isNullDevice ?? false)
            }
            if let mine = frames {
                if let theirs = other.slot, theirs.folder == mine.folder, mine.pattern.matches(theirs.name) { return true }
                if let theirs = other.frames, theirs.folder == mine.folder, mine.pattern.overlaps(theirs.pattern) { return true }
            }
            return false
        }
    }
}
