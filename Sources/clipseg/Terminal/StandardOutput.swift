import ArgumentParser
import MediaIO

/// What a `clipseg` command prints as its result — token ids, the camera list, `bench` tables, help,
/// `--version`, and bytes such as a PNG or a `.npy` file given `-` — written straight to file descriptor 1
/// with write(2) (MediaIO's `FileDescriptorWriter`: EINTR retried, short writes continued), never held in C stdio's
/// buffer, so a failure is seen by the command that wrote:
/// - the reader closed the pipe (EPIPE, `clipseg tokenize a b | head -c 1`): throws `ExitCode.success`,
///   which ends the command and `clipseg` exits 0 without a word, as `segment --masks - | head` does;
/// - any other error (ENOSPC for `> /dev/full`, EIO): throws
///   `CommandFailure.runtime("standard output: write failed (No space left on device)")`, exit 1.
///
/// SIGPIPE is ignored from the first write on, so a closed pipe is an error to handle, not a signal.
enum StandardOutput {
    /// Writes `text` as UTF-8.
    static func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Writes `bytes`, all of them, or throws as described above.
    static func write(_ bytes: [UInt8]) throws {
        do {
            try FileDescriptorWriter(path: "-").write(bytes)
        } catch MediaError.outputClosed {
            throw ExitCode.success
        } catch let error as MediaError {
            throw CommandFailure.runtime(error.description)
        }
    }
}
