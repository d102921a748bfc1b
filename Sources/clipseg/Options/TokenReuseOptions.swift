import ArgumentParser
import CLIPSeg

/// `--reuse` and its tuning: token reuse between frames (`CLIPSeg.TokenReuse`), so the image encoder
/// recomputes only what changed since the frames before.
struct TokenReuseOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Reuse the image encoder's work on what did not change between frames: a still camera "
                             + "costs a fraction of a full pass, masks stay close to full passes (default: on for "
                             + "live sources, off for files, which then stay exact)."))
    var reuse: Bool?

    @Option(name: .customLong("reuse-threshold"), parsing: .unconditional,
            help: ArgumentHelp("Relative change of a token below which its cached result is reused (0 recomputes every "
                               + "token; default \(TokenReuseSettings.standard.threshold)).", valueName: "T"))
    var threshold: Float?

    @Option(name: .customLong("reuse-refresh"), parsing: .unconditional,
            help: ArgumentHelp("A full pass every N frames, whatever changed (0: only on scene cuts; "
                               + "default \(TokenReuseSettings.standard.refreshInterval)).", valueName: "N"))
    var refresh: Int?

    func validate() throws {
        if reuse == false && (threshold != nil || refresh != nil) {
            throw ValidationError("--reuse-threshold and --reuse-refresh tune --reuse; drop them or --no-reuse")
        }
        if let threshold, !(threshold >= 0 && threshold.isFinite) {
            throw ValidationError("--reuse-threshold must be a number ≥ 0, got \(threshold)")
        }
        if let refresh, refresh < 0 { throw ValidationError("--reuse-refresh must be 0 or more frames, got \(refresh)") }
    }

    /// The settings for a run, or nil for full passes: `--reuse`/`--no-reuse` when given, else on for a
    /// live source only (a tuning option alone turns it on).
    func settings(live: Bool) -> TokenReuseSettings? {
        guard reuse ?? (live || threshold != nil || refresh != nil) else { return nil }
        var settings = TokenReuseSettings.standard
        if let threshold { settings.threshold = threshold }
        if let refresh { settings.refreshInterval = refresh }
        return settings
    }
}
