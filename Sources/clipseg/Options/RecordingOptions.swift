import ArgumentParser
import Foundation

/// `--record-when TEXT --record-dir DIR`: a clip each time TEXT appears, with pre- and post-roll.
struct RecordingOptions: ParsableArguments {
    @Option(name: .customLong("record-when"),
            help: ArgumentHelp("Record a clip each time TEXT appears (the --events rule decides when), into "
                               + "--record-dir; TEXT is a prompt too.", valueName: "TEXT"))
    var recordWhen: String?

    @Option(name: .customLong("record-dir"),
            help: ArgumentHelp("Folder for --record-when's clips (clip-0001.mp4, …; numbering goes on after the "
                               + "clips already there).", valueName: "DIR"))
    var recordDirectory: String?

    @Option(name: .customLong("pre-roll"), parsing: .unconditional,
            help: ArgumentHelp("Seconds of video kept in memory and put before the moment TEXT appeared (default 3).",
                               valueName: "S"))
    var preRoll: Double = 3

    @Option(name: .customLong("post-roll"), parsing: .unconditional,
            help: ArgumentHelp("Seconds recorded after TEXT disappeared (default 3).", valueName: "S"))
    var postRoll: Double = 3

    func validate() throws {
        if (recordWhen == nil) != (recordDirectory == nil) {
            throw ValidationError("--record-when TEXT and --record-dir DIR go together")
        }
        if let recordWhen, recordWhen.allSatisfy(\.isWhitespace) { throw ValidationError("--record-when: a prompt cannot be empty") }
        var isFolder: ObjCBool = false
        if let recordDirectory, FileManager.default.fileExists(atPath: recordDirectory, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--record-dir \(recordDirectory) is a file, not a folder")
        }
        for (option, value) in [("--pre-roll", preRoll), ("--post-roll", postRoll)] where !(value >= 0 && value <= 60) {
            throw ValidationError("\(option) must be between 0 and 60 seconds, got \(value)")
        }
    }
}
