/// Why a `clipseg` command stopped, as one line for standard error and the exit status that goes with it.
///
/// The statuses are documented in `clipseg --help` and the README ("Files and safety"):
/// - `usage` (64, `EX_USAGE`): the command line asks for something that cannot be done as written — a bad value,
///   options that exclude each other, an output that would overwrite an input, an unknown output format.
///   Nothing was read or written.
/// - `runtime` (1): the command was well formed but failed while running — a missing or unreadable file,
///   a write error, an existing output without `-y`, a model that does not load.
///
/// `message` names what is at fault (the option and the value); it is printed after `Error: ` with control
/// characters escaped, so a file name cannot drive the terminal.
struct CommandFailure: Error, CustomStringConvertible {
    enum Kind: Sendable { case usage, runtime }

    let kind: Kind
    let message: String

    static func usage(_ message: String) -> CommandFailure { CommandFailure(kind: .usage, message: message) }
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(kind: .runtime, message: message) }

    var exitCode: Int32 { kind == .usage ? 64 : 1 }
    var description: String { message }
}
