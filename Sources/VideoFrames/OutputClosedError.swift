/// An error that can mean an output's reader went away (a closed pipe, EPIPE, e.g. `| head -c 1000`): the
/// output ends early, but nothing failed, and a run that meets it stops cleanly.
///
/// Writers' error types conform (MediaIO's `MediaError`, whose `.outputClosed` is this case), so a consumer
/// of frames (the pipeline's sink stage) can tell a closed reader from a failure without knowing who wrote.
public protocol OutputClosedError: Error {
    /// True when this error is the reader going away; false for every other failure of the type.
    var isOutputClosed: Bool { get }
}
