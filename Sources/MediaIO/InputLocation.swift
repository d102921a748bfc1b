import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a reader takes its bytes from: a local file, standard input (`-`), or a URL FFmpeg opens
/// through one of its protocols (`http://…`, `rtsp://…`, `udp://…`).
struct InputLocation: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case file, standardInput, url }

    /// The string the user gave with its credentials hidden (`CredentialRedaction`), used in every message.
    let name: String
    let kind: Kind
    /// What `avformat_open_input` is handed.
    let ffmpegURL: String

    /// Protocols whose sources deliver frames in real time.
    private static let liveSchemes: Set<String> = [
        "rtsp", "rtsps", "rtp", "srtp", "udp", "rtmp", "rtmps", "rtmpt", "rtmpe", "srt", "rist", "tcp", "mmsh", "mmst",
    ]
    /// Protocols that may be live or on demand, told apart by a known duration.
    private static let maybeLiveSchemes: Set<String> = ["http", "https", "hls"]

    init(_ name: String) {
        if InputLocation.scheme(of: name) != nil { CredentialRedaction.registerCredentials(in: name) }
        self.name = CredentialRedaction.redact(name)
        if name == "-" {
            kind = .standardInput
            ffmpegURL = "pipe:0"
        } else if InputLocation.scheme(of: name) != nil {
            kind = .url
            ffmpegURL = name
        } else {
            kind = .file
            // An explicit protocol keeps names with a colon ("take:1.mp4") from being read as URLs.
            ffmpegURL = "file:" + name
        }
    }

    /// The URL scheme (`rtsp`, `http`, `pipe`, …) when `name` looks like `scheme://…` or `pipe:N`.
    static func scheme(of name: String) -> String? {
        if name.hasPrefix("pipe:") { return "pipe" }
        guard let range = name.range(of: "://") else { return nil }
        let scheme = name[..<range.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return scheme
    }

    /// True when frames arrive in real time: network streaming protocols, or http(s) without a known duration.
    func isLive(durationKnown: Bool) -> Bool {
        guard kind == .url, let scheme = InputLocation.scheme(of: name) else { return false }
        let base = scheme.split(separator: "+").first.map(String.init) ?? scheme
        if InputLocation.liveSchemes.contains(base) { return true }
        if InputLocation.maybeLiveSchemes.contains(base) { return !durationKnown }
        return false
    }

    /// True for network protocols (reads get a timeout so a dead server cannot hang the program).
    var isNetwork: Bool {
        guard let scheme else { return false }
        return scheme != "file" && scheme != "pipe"
    }

    /// The URL scheme, lowercased (`rtsp`, `http`, …), for URLs.
    var scheme: String? { kind == .url ? InputLocation.scheme(of: name) : nil }

    /// For local files: the error to throw before FFmpeg is asked (missing, a folder, unreadable), or nil.
    func preflightError() -> MediaError? {
        guard kind == .file else { return nil }
        var info = stat()
        if stat(name, &info) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .noSuchFile(name) }
            return .unreadable(name, reason: String(cString: strerror(code)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .unreadable(name, reason: "it is a folder") }
        if access(name, R_OK) != 0 { return .unreadable(name, reason: String(cString: strerror(errno))) }
        return nil
    }
}
