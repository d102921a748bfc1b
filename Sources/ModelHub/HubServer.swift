import Foundation

/// The hub a download talks to: its address (`HF_ENDPOINT`, for mirrors; default https://huggingface.co) and
/// the token sent as `Authorization: Bearer` for gated and private repositories (`HF_TOKEN`, else the file
/// `huggingface-cli login` writes). The token is never part of a message or a URL.
public struct HubServer: Sendable {
    public let endpoint: URL
    let token: String?

    public init(endpoint: URL, token: String?) {
        self.endpoint = endpoint
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `explicitToken` if given, else `$HF_TOKEN` (or `$HUGGING_FACE_HUB_TOKEN`), else the file at
    /// `$HF_TOKEN_PATH`, else `$HF_HOME/token` (`~/.cache/huggingface/token`). Throws for an `HF_ENDPOINT`
    /// that is not an http or https address.
    public init(environment: [String: String], explicitToken: String? = nil) throws {
        let text = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ModelHubError.badEndpoint(text)
        }
        self.init(endpoint: url, token: explicitToken ?? Self.token(environment))
    }

    /// Whether a token will be sent (for messages: never the token itself).
    public var hasToken: Bool { token != nil }

    private static func token(_ environment: [String: String]) -> String? {
        if let token = environment["HF_TOKEN"] ?? environment["HUGGING_FACE_HUB_TOKEN"], !token.isEmpty { return token }
        let file = environment["HF_TOKEN_PATH"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? (environment["HF_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
                ?? HubCache.homeFolder(environment).appendingPathComponent(".cache/huggingface"))
                .appendingPathComponent("token")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// `{endpoint}/api/models/OWNER/NAME/revision/REV?blobs=true` (the revision percent-encoded, `/` included).
    public func revisionURL(_ id: HubModelID) -> URL {
        URL(string: endpoint.absoluteString + "/api/models/\(id.repository)/revision/"
            + Self.escaped(id.revisionOrMain, keepingSlashes: false) + "?blobs=true")!
    }

    /// `{endpoint}/OWNER/NAME/resolve/COMMIT/FILE`.
    public func fileURL(_ id: HubModelID, commit: String, path: String) -> URL {
        URL(string: endpoint.absoluteString + "/\(id.repository)/resolve/\(commit)/" + Self.escaped(path, keepingSlashes: true))!
    }

    /// Headers every request carries: the token (when there is one) and no compression (byte ranges must
    /// count the file's own bytes).
    func headers() -> [String: String] {
        var headers = ["Accept-Encoding": "identity", "User-Agent": "clipseg-swift"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return headers
    }

    private static func escaped(_ text: String, keepingSlashes: Bool) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~" + (keepingSlashes ? "/" : ""))
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
