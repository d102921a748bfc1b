import Foundation
import ModelHub
import TestSupport

/// A hub stand-in serving one model, `CIDAS/clipseg-rd64-refined` at `commit`: the sample model's
/// configuration and CLIP tokenizer files, a model.safetensors of 2.5 MB generated from a seed (in LFS,
/// redirected to the storage port; only its bytes matter here), CIDAS' real tokenizer_config.json and special_tokens_map.json (with the hub's blob ids),
/// a pytorch_model.bin that must not be fetched when safetensors is there, and a .gitattributes.
/// `environment` points `clipseg` at it with empty caches under `folder`.
struct DownloadTestHub {
    static let repository = "CIDAS/clipseg-rd64-refined"
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    let hub: HubStandIn
    let folder: TemporaryDirectory
    let weights: Data
    let weightsSHA256: String

    init(gated: Bool = false, listedWeightsSize: Int? = nil, servedWeights: ((Data) -> Data)? = nil) throws {
        hub = try HubStandIn()
        folder = try TemporaryDirectory(prefix: "clipseg-download")
        let sample = TestPaths.samples.appendingPathComponent("models/shapes")
        let cidas = TestPaths.fixtures.appendingPathComponent("cidas-clipseg-rd64-refined")
        var generator = SplitMix64(seed: 19)
        weights = Data((0..<2_500_000 / 8).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } })
        weightsSHA256 = SHA256.hex(of: weights)
        var files: [HubStandIn.File] = [HubStandIn.File(path: ".gitattributes", content: Data("*.bin filter=lfs\n".utf8),
                                                        blobID: Self.blobID(Data("*.bin filter=lfs\n".utf8)))]
        for name in ["config.json", "preprocessor_config.json", "vocab.json", "merges.txt"] {
            let content = try Data(contentsOf: sample.appendingPathComponent(name))
            files.append(HubStandIn.File(path: name, content: content, blobID: Self.blobID(content)))
        }
        for (name, blobID) in [("tokenizer_config.json", "446c39016ef7112b9ace812c98641502da0193d1"),
                               ("special_tokens_map.json", "2c2130b544c0c5a72d5d00da071ba130a9800fb2")] {
            files.append(HubStandIn.File(path: name, content: try Data(contentsOf: cidas.appendingPathComponent(name)),
                                         blobID: blobID))
        }
        files.append(HubStandIn.File(path: "model.safetensors", content: weights, sha256: weightsSHA256,
                                     blobID: String(repeating: "a", count: 40), served: servedWeights?(weights),
                                     listedSize: listedWeightsSize))
        let bin = Data(repeating: 7, count: 1000)
        files.append(HubStandIn.File(path: "pytorch_model.bin", content: bin, sha256: SHA256.hex(of: bin),
                                     blobID: String(repeating: "b", count: 40)))
        hub.add(Self.repository, HubStandIn.Repository(commit: Self.commit, files: files, gated: gated))
    }

    static func blobID(_ data: Data) -> String {
        var hasher = GitBlobSHA1(size: Int64(data.count))
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// The Hugging Face cache this hub's downloads go to.
    var cache: URL { folder.path("hf-cache") }
    var repositoryFolder: URL { cache.appendingPathComponent("models--CIDAS--clipseg-rd64-refined") }
    var snapshot: URL { repositoryFolder.appendingPathComponent("snapshots/\(Self.commit)") }
    var weightsPartial: URL { repositoryFolder.appendingPathComponent("blobs/\(weightsSHA256).incomplete") }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache.path, "HF_HOME": "", "HF_TOKEN": "", "XDG_CACHE_HOME": "",
         "HOME": folder.url.path, "CLIPSEG_MODEL": ""].merging(extra) { $1 }
    }

    func download(_ arguments: [String] = [], _ extra: [String: String] = [:]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["download"] + arguments, environment: environment(extra), timeout: 120)
    }

    /// Requests for the weights on the storage port, in order.
    var weightRequests: [HubStandIn.Request] {
        hub.requests.filter { $0.storage && $0.path == "/lfs/\(weightsSHA256)" }
    }

    func stop() {
        hub.stop()
        folder.remove()
    }
}
