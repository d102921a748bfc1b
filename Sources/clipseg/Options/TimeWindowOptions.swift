import ArgumentParser
import VideoFrames

/// A time written on the command line as seconds (`90`, `12.5`) or `[HH:]MM:SS[.fraction]`, in whole
/// microseconds (`VideoFrames.TimeWindow.parseTime`).
struct TimePosition: ExpressibleByArgument, Sendable, Equatable {
    let microseconds: Int64

    init?(argument: String) {
        guard let value = TimeWindow.parseTime(argument) else { return nil }
        microseconds = value
    }
}

/// `--start T --duration D`: segment one time shard of a file, the frames with `T ≤ timestamp < T + D`
/// (`VideoFrames.TimeWindowSource`). Frames keep their numbers and times from the whole file.
struct TimeWindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Segment from this time on (seconds, or [HH:]MM:SS[.ms]); frames keep their numbers and times.",
                               valueName: "T"))
    var start: TimePosition?

    @Option(help: ArgumentHelp("Segment this long from --start: the frames with T ≤ timestamp < T + D, so shards cut at "
                               + "T, T+D, T+2D… hold every frame exactly once (seconds, or [HH:]MM:SS[.ms]).",
                               discussion: "Temporal options (--smooth, --reuse, --follow-motion) carry state from "
                               + "frame to frame, so a shard's first frames can differ from the same frames of a whole "
                               + "run unless they are off (for files they are, by default). A shard's video keeps the "
                               + "input's times (its first frame is at T) and has no sound; `clipseg concat` joins shards "
                               + "(byte-identical to a whole run with the same --threads).",
                               valueName: "D"))
    var duration: TimePosition?

    func validate() throws {
        if duration?.microseconds == 0 { throw ValidationError("--duration must be more than 0") }
    }

    /// The window, or nil for the whole input.
    var window: TimeWindow? {
        guard start != nil || duration != nil else { return nil }
        return TimeWindow(start: start?.microseconds ?? 0, duration: duration?.microseconds)
    }
}
