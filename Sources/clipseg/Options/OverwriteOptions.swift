import ArgumentParser

/// `-y` / `-n`, as in ffmpeg: what to do with outputs that already exist (shared by `segment` and `image`).
struct OverwriteOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .customLong("overwrite")],
          help: "Overwrite outputs that exist (and remove a picture folder's old frames first).")
    var overwrite = false

    @Flag(name: [.customShort("n"), .customLong("no-overwrite")],
          help: "Never overwrite an output that exists; stop with an error instead.")
    var noOverwrite = false

    func validate() throws {
        if overwrite && noOverwrite { throw ValidationError("-y (--overwrite) and -n (--no-overwrite) exclude each other") }
    }

    /// The policy: `-y` always, `-n` never, neither: ask on a terminal, else refuse.
    var policy: OverwritePolicy { overwrite ? .always : (noOverwrite ? .never : .ask) }
}

/// What happens to an output that already exists (a regular file, or a folder holding frames of the pattern).
/// Devices, named pipes and sockets are written in place whatever the policy: nothing is replaced.
enum OverwritePolicy: Sendable {
    /// `-y`: overwrite.
    case always
    /// `-n`: refuse, exit 1.
    case never
    /// Neither: ask when standard input and standard error are a terminal (and the run does not read
    /// standard input); otherwise refuse with a line that names `-y`.
    case ask
}
