import ArgumentParser
import Foundation
import MediaIO

/// How a network input (`rtsp://`, `http(s)://`, `srt://`, `udp://`, `tcp://`) is opened and kept:
/// `--rtsp-transport`, `--input-option KEY=VALUE` (FFmpeg AVOptions for the demuxer and protocol),
/// `--reconnect [COUNT|forever]` and `--stall-timeout SECONDS`.
struct NetworkInputOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("rtsp-transport"),
            help: ArgumentHelp("RTSP media over tcp (default: interleaved in the RTSP connection) or udp (RTP).",
                               valueName: "tcp|udp"))
    var rtspTransport: InputOpenOptions.RTSPTransport = .tcp

    @Option(name: .customLong("input-option"),
            help: ArgumentHelp("An FFmpeg option for opening the input (demuxer or protocol), e.g. probesize=65536 "
                               + "or user_agent=cam; repeatable. Overrides the low-latency defaults of streams.",
                               valueName: "KEY=VALUE"))
    var inputOptions: [String] = []

    @Option(name: .customLong("reconnect"), defaultAsFlag: ReconnectLimit.forever,
            help: ArgumentHelp("Reopen a live stream that ends, fails or stalls: COUNT attempts in a row with a "
                               + "growing pause (0.25 s doubling up to 1 s), or forever (the default when no "
                               + "value is given). Outputs go on across the gap.", valueName: "COUNT|forever"))
    var reconnect: ReconnectLimit? = nil

    @Option(name: .customLong("stall-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds a network input may send nothing before it counts as lost.",
                               valueName: "SECONDS"))
    var stallTimeout: Double = 10

    /// `--reconnect`'s value.
    enum ReconnectLimit: Equatable, Sendable, ExpressibleByArgument, CustomStringConvertible {
        case count(Int)
        case forever

        init?(argument: String) {
            if argument == "forever" { self = .forever; return }
            guard let count = Int(argument), count >= 0 else { return nil }
            self = .count(count)
        }

        var description: String {
            switch self {
            case .count(let count): return String(count)
            case .forever: return "forever"
            }
        }
    }

    func validate() throws {
        guard stallTimeout > 0, stallTimeout.isFinite else {
            throw ValidationError("--stall-timeout must be a positive number of seconds, got \(stallTimeout)")
        }
        for option in inputOptions {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw ValidationError("--input-option takes KEY=VALUE, got '\(CredentialRedaction.redact(option))'")
            }
        }
    }

    /// The options `VideoFileSource` opens the input with. Values of keys named like secrets (password,
    /// token, key, secret, auth) are registered with `CredentialRedaction`, so no message shows them.
    var openOptions: InputOpenOptions {
        let pairs = inputOptions.compactMap { option -> (key: String, value: String)? in
            guard let equals = option.firstIndex(of: "=") else { return nil }
            let key = String(option[..<equals]), value = String(option[option.index(after: equals)...])
            if CredentialRedaction.isSecretKey(key) { CredentialRedaction.register(secret: value) }
            return (key, value)
        }
        return InputOpenOptions(formatOptions: pairs, rtspTransport: rtspTransport, stallTimeout: stallTimeout)
    }

    /// Whether and how a lost stream is reopened.
    var reconnectPolicy: ReconnectPolicy {
        switch reconnect {
        case nil: return .never
        case .forever: return ReconnectPolicy(attempts: nil)
        case .count(let count): return ReconnectPolicy(attempts: count)
        }
    }
}

extension InputOpenOptions.RTSPTransport: ExpressibleByArgument {}
