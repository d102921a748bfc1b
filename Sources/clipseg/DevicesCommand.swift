import ArgumentParser

/// `clipseg devices` (not implemented yet).
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "(not implemented yet)")

    func run() async throws {
        throw ValidationError("clipseg devices is not implemented yet")
    }
}
