import ArgumentParser
import PreviewServer
import UserText

/// `--preview [HOST:]PORT`, `--preview-public`, `--preview-viewers N`: the live preview page of `segment`.
struct PreviewOptions: ParsableArguments {
    @Option(name: .customLong("preview"), help: ArgumentHelp(
        "Serve a live preview page with controls at http://HOST:PORT/ (HOST defaults to 127.0.0.1; PORT 0 picks a free one).",
        discussion: "The page shows the video, the prompts, the threshold and the run's figures; its controls "
            + "are --control commands. The address is printed with a token that control commands need.",
        valueName: "[HOST:]PORT"))
    var preview: String?

    @Flag(name: .customLong("preview-public"),
          help: "Allow --preview on an address other machines can reach; every request then needs the printed token.")
    var previewPublic = false

    @Option(name: .customLong("preview-viewers"), help: ArgumentHelp(
        "Viewers of the preview video at once (default 4); more are refused.", valueName: "N"))
    var previewViewers: Int?

    static let viewerRange = 1...16

    /// The parsed address; nil without `--preview`. Valid after `validate()`.
    var address: PreviewAddress? { preview.flatMap(PreviewAddress.init(parsing:)) }
    var maximumViewers: Int { previewViewers ?? 4 }

    func validate() throws {
        guard let preview else {
            if previewPublic || previewViewers != nil {
                throw ValidationError("--preview-public and --preview-viewers apply to --preview; add --preview [HOST:]PORT")
            }
            return
        }
        guard let address = PreviewAddress(parsing: preview) else {
            throw ValidationError("--preview expects [HOST:]PORT with an IPv4 HOST and a PORT from 0 to 65535 "
                                  + "(8080, 127.0.0.1:8080), got '\(preview.escapingControlCharacters)'")
        }
        if !address.isLoopback && !previewPublic {
            throw ValidationError("--preview \(address) is not a loopback address: add --preview-public to let other "
                                  + "machines connect (every request then needs the printed token)")
        }
        if let previewViewers, !Self.viewerRange.contains(previewViewers) {
            throw ValidationError("--preview-viewers must be between \(Self.viewerRange.lowerBound) and "
                                  + "\(Self.viewerRange.upperBound), got \(previewViewers)")
        }
    }
}
