import ArgumentParser

/// `clipseg image` (not implemented yet).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "(not implemented yet)")

    func run() async throws {
        throw ValidationError("clipseg image is not implemented yet")
    }
}
