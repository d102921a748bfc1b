import Foundation

/// The bytes of a model folder's JSON configuration file (`config.json`, `preprocessor_config.json`), or
/// `CLIPSegError.invalidConfiguration` naming the file when it cannot be read.
func configurationFileData(_ url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url)
    } catch {
        throw CLIPSegError.invalidConfiguration(file: url.path, reason: "cannot read: \(error.localizedDescription)")
    }
}
