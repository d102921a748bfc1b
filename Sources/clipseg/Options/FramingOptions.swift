import ArgumentParser

/// `--frame TEXT`: the video follows what TEXT matches, panning and zooming smoothly (`AutoFraming`).
struct FramingOptions: ParsableArguments {
    @Option(name: .customLong("frame"),
            help: ArgumentHelp("Auto-framing: crop the video to follow what TEXT matches, zoomed in with a margin, "
                               + "moving smoothly (small wobbles ignored, at most 0.6 frame widths a second), at the "
                               + "output size; TEXT is a prompt too. Masks and statistics keep the whole frame.",
                               valueName: "TEXT"))
    var framedPrompt: String?

    func validate() throws {
        if let framedPrompt, framedPrompt.allSatisfy(\.isWhitespace) { throw ValidationError("--frame: a prompt cannot be empty") }
    }
}
