/// The program's version, kept here and nowhere else, and the git commit it was built from.
enum ClipsegVersion {
    /// The release number (semantic versioning).
    static let number = "0.2.0"

    /// `git describe --always --dirty` of the checkout it was built from (`ec12244a0c3d`, `…-dirty`),
    /// or `unknown`; written before each build by the BuildCommitStamp plugin.
    static var commit: String { BuildCommit.stamp }

    /// `clipseg 0.2.0 (commit ec12244a0c3d)`: the first line of `clipseg --version`.
    static var headline: String { "clipseg \(number) (commit \(commit))" }
}
