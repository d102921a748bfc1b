import Foundation

/// Files of the clipseg-swift checkout the targets read (fixtures, the sample tokenizer): under
/// `$CLIPSEG_FUZZ_REPOSITORY` when set, else the checkout this source file was compiled from.
public enum RepositoryPaths {
    public static let root: URL = {
        if let root = ProcessInfo.processInfo.environment["CLIPSEG_FUZZ_REPOSITORY"] {
            return URL(fileURLWithPath: root, isDirectory: true)
        }
        // Tests/Fuzz/Sources/FuzzSupport/RepositoryPaths.swift → the checkout.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url
    }()

    /// The sample model folder with the real CLIP vocab.json / merges.txt / tokenizer_config.json.
    public static var sampleTokenizer: URL { root.appendingPathComponent("Samples/models/shapes") }

    /// A committed CLIPSeg fixture folder (config.json, preprocessor_config.json, model.safetensors, …).
    public static func clipsegFixture(_ name: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures/clipseg").appendingPathComponent(name)
    }

    /// The bytes of `url`, or a failed check (the targets cannot run without their fixtures).
    public static func contents(of url: URL) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            FuzzCheck.fail("cannot read \(url.path) (set CLIPSEG_FUZZ_REPOSITORY to the checkout)")
        }
        return [UInt8](data)
    }
}
