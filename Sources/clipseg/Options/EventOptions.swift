import ArgumentParser
import Pipeline

/// `--events FILE|-`: a line each time a prompt appears or disappears, with hysteresis (`PresenceRule`).
struct EventOptions: ParsableArguments {
    @Option(name: .customLong("events"),
            help: ArgumentHelp("Write an NDJSON line each time a prompt appears or disappears (with its frame, time, "
                               + "coverage and box), as it happens.", valueName: "FILE|-"))
    var events: String?

    @Option(name: .customLong("event-coverage"), parsing: .unconditional,
            help: ArgumentHelp("Share of the frame a prompt must cover to count as present; it counts as gone below "
                               + "half of it (default 0.01).", valueName: "C"))
    var coverage: Double = 0.01

    @Option(name: .customLong("event-frames"), parsing: .unconditional,
            help: ArgumentHelp("Frames in a row a change must last before it is an event (default 3).", valueName: "N"))
    var frames: Int = 3

    var rule: PresenceRule { PresenceRule(appearCoverage: coverage, frames: frames) }

    func validate() throws {
        guard coverage > 0 && coverage <= 1 else { throw ValidationError("--event-coverage must be above 0 and at most 1, got \(coverage)") }
        guard (1...10_000).contains(frames) else { throw ValidationError("--event-frames must be between 1 and 10000, got \(frames)") }
    }
}
