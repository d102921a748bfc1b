import ArgumentParser

/// `clipseg tokenize` (not implemented yet).
struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "(not implemented yet)")

    func run() async throws {
        throw ValidationError("clipseg tokenize is not implemented yet")
    }
}
