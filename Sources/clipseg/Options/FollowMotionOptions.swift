import ArgumentParser

/// `--follow-motion`: frames dropped before the model are written with the most recent masks moved by the
/// motion since the frame they were computed on (`MaskRender.MaskMotionFollower`), not where they were.
struct FollowMotionOptions: ParsableArguments {
    @Flag(name: .customLong("follow-motion"), inversion: .prefixedNo,
          help: ArgumentHelp("Move the most recent mask with the picture on frames written without a mask of their "
                             + "own (block matching on a small grey image; default: on for live sources when "
                             + "dropped frames are kept)."))
    var followMotion: Bool?

    /// Whether a run follows motion: only when dropped frames are written (`keepDroppedFrames`), then
    /// `--follow-motion`/`--no-follow-motion` when given, else for live sources.
    func enabled(live: Bool, keepDroppedFrames: Bool) -> Bool {
        keepDroppedFrames && (followMotion ?? live)
    }
}
