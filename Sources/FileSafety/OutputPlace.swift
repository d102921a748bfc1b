/// Where one output of a command writes, as far as clobbering is concerned.
public enum OutputPlace: Sendable, Equatable {
    /// Standard output (`-`).
    case standardOutput
    /// One file, created, replaced or written in place.
    case file(String)
    /// A picture sequence: files named by `pattern` in `folder` (created when missing).
    case frames(folder: String, pattern: FrameNamePattern)

    /// The path as the user gave it (the folder for frames; `-` for standard output).
    public var path: String {
        switch self {
        case .standardOutput: return "-"
        case .file(let path): return path
        case .frames(let folder, _): return folder
        }
    }
}

/// A path on the command line, with the name of what it is for (an option such as `--masks`, or `INPUT`);
/// the role is only carried through to a `PathClash`, never interpreted.
public struct RoledPath<Place: Sendable & Equatable>: Sendable, Equatable {
    public let role: String
    public let place: Place

    public init(role: String, place: Place) {
        self.role = role
        self.place = place
    }
}

/// An output that would write over an input or over another output.
public struct PathClash: Sendable, Equatable {
    /// The output that would do the writing.
    public let outputRole: String
    public let outputPath: String
    /// The input or earlier output it would write over.
    public let otherRole: String
    public let otherPath: String
    /// True when `other` is an input (a file the command reads), false when it is another output.
    public let otherIsInput: Bool

    public init(outputRole: String, outputPath: String, otherRole: String, otherPath: String, otherIsInput: Bool) {
        self.outputRole = outputRole
        self.outputPath = outputPath
        self.otherRole = otherRole
        self.otherPath = otherPath
        self.otherIsInput = otherIsInput
    }
}
