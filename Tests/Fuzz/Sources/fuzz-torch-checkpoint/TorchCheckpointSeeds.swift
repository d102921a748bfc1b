import Foundation
import FuzzSupport
@testable import TorchCheckpoint

/// Seeds: the checkpoints torch saved for the tests (Tests/Fixtures/torch-checkpoint: every dtype, views,
/// shared storages, protocols 2 and 4, a refused os.system pickle, a list, the legacy format), whole, and
/// each one's `data.pkl` alone as a bare pickle.
enum TorchCheckpointSeeds {
    static func all() throws -> [Seed] {
        let folder = RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/torch-checkpoint")
        var seeds: [Seed] = []
        for name in ["views.bin", "views-protocol4.bin", "os-system.bin", "not-a-dict.bin", "legacy.bin"] {
            let bytes = RepositoryPaths.contents(of: folder.appendingPathComponent(name))
            seeds.append(Seed(name, bytes))
            let pickle: [UInt8]? = bytes.withUnsafeBytes { raw in
                guard let archive = try? StoredZipArchive(bytes: raw),
                      let entry = archive.entries.values.first(where: { $0.name.hasSuffix("/data.pkl") }),
                      let slice = try? archive.bytes(of: entry, in: raw) else { return nil }
                return Array(slice)
            }
            if let pickle { seeds.append(Seed(name + ".pkl", pickle)) }
        }
        return seeds
    }
}
