/// How the reading of an input came to an end (`VideoStreamDecoder.ending`): what `ReconnectingSource`
/// reports when a live stream is lost.
enum StreamEnding: Equatable {
    case endOfInput
    case interrupted
    /// No data for the stall timeout (seconds).
    case stalled(seconds: Double)
    /// A read failed (FFmpeg's words).
    case failed(String)

    /// "the stream ended", "no data for 5 s", FFmpeg's words.
    var reason: String {
        switch self {
        case .endOfInput: return "the stream ended"
        case .interrupted: return "stopped"
        case .stalled(let seconds): return "no data for \(StreamEnding.seconds(seconds))"
        case .failed(let text): return text
        }
    }

    /// "5 s", "0.5 s".
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
