import Foundation
import UserText

/// What an HTTP status from the hub means for the user, as a `ModelHubError.refused`. The hub explains
/// itself in `X-Error-Code` (`RepositoryNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`) and
/// `X-Error-Message`; a missing repository answers 401 to a request without a token.
enum HubAnswer {
    static func refusal(what: String, outcome: HTTPTransfer.Outcome, sentToken: Bool) -> ModelHubError {
        let code = outcome.headers["x-error-code"] ?? ""
        let reason: String
        switch (outcome.status, code) {
        case (401, _) where sentToken:
            reason = "the token in HF_TOKEN was refused, or it may not read this repository"
        case (401, _):
            reason = "no such repository, or it is private or gated: set HF_TOKEN to a token of an account that may read it"
        case (403, _):
            reason = "access is restricted: accept the repository's conditions on the hub with the account of HF_TOKEN"
        case (404, "RevisionNotFound"):
            reason = "no such revision"
        case (404, "EntryNotFound"):
            reason = "no such file"
        case (404, _):
            reason = "not found"
        case (429, _):
            reason = "too many requests; try again later"
        case (500..<600, _):
            reason = "the hub failed; try again later"
        default:
            reason = "unexpected answer"
        }
        let message = outcome.headers["x-error-message"].map { " (\(String($0.prefix(200)).escapingControlCharactersAsCodePoints))" } ?? ""
        return .refused(what: what, status: outcome.status, reason: reason + message)
    }
}
