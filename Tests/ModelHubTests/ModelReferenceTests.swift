import Foundation
import XCTest
import TestSupport
import ModelHub

/// Hub ids, the cache folders huggingface_hub uses, and what a reference resolves to.
final class ModelReferenceTests: XCTestCase {
    private let commit = "8bef68afb9ebcbb7b153eee19f49aedb58e3f083"

    func testIDsParseAndPathsDoNot() {
        let id = HubModelID(parsing: "CIDAS/clipseg-rd64-refined")
        XCTAssertEqual(id, HubModelID(owner: "CIDAS", name: "clipseg-rd64-refined"))
        XCTAssertEqual(id?.cacheFolderName, "models--CIDAS--clipseg-rd64-refined")
        XCTAssertEqual(id?.revisionOrMain, "main")
        XCTAssertEqual(HubModelID(parsing: "a/b@v1.0")?.revision, "v1.0")
        XCTAssertEqual(HubModelID(parsing: "a/b@refs/pr/1")?.description, "a/b@refs/pr/1")
        for notAnID in ["", "a", "/a/b", "./a", "a/b/c", "../a", "a/..", "a/b@", "a/b@../x", "a/b@x//y", "-a/b", "a/b.",
                        "a--x/b", "a/b c", "a/b\u{1B}", "é/b", String(repeating: "x", count: 97) + "/b"] {
            XCTAssertNil(HubModelID(parsing: notAnID), notAnID)
        }
        XCTAssertTrue(HubModelID.isCommit(commit))
        XCTAssertFalse(HubModelID.isCommit("main"))
        XCTAssertFalse(HubModelID.isCommit(commit.uppercased()))
    }

    func testHuggingFaceCacheFolderFollowsTheEnvironment() {
        let base = ["HOME": "/home/u"]
        XCTAssertEqual(HubCache.huggingFace(environment: base).root.path, "/home/u/.cache/huggingface/hub")
        XCTAssertEqual(HubCache.huggingFace(environment: base.merging(["XDG_CACHE_HOME": "/x"]) { $1 }).root.path, "/x/huggingface/hub")
        XCTAssertEqual(HubCache.huggingFace(environment: base.merging(["HF_HOME": "/hf"]) { $1 }).root.path, "/hf/hub")
        XCTAssertEqual(HubCache.huggingFace(environment: base.merging(["HF_HOME": "~/hf"]) { $1 }).root.path, "/home/u/hf/hub")
        XCTAssertEqual(HubCache.huggingFace(environment: base.merging(["HF_HOME": "/hf", "HF_HUB_CACHE": "/c"]) { $1 }).root.path, "/c")
        XCTAssertEqual(HubCache.huggingFace(environment: base.merging(["HF_HUB_CACHE": ""]) { $1 }).root.path,
                       "/home/u/.cache/huggingface/hub", "an empty variable counts as unset")
        XCTAssertEqual(HubCache.clipseg(environment: base).root.path, "/home/u/.cache/clipseg/hub")
    }

    /// Writes a snapshot as huggingface_hub does (blobs, relative links, a ref).
    private func writeSnapshot(_ cache: URL, _ id: HubModelID, commit: String, ref: String? = "main",
                               files: [String] = ["config.json", "model.safetensors"]) throws -> URL {
        let repository = cache.appendingPathComponent(id.cacheFolderName)
        let snapshot = repository.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        for (index, file) in files.enumerated() {
            let blob = "blob\(index)\(commit.prefix(6))"
            try Data(file.utf8).write(to: repository.appendingPathComponent("blobs/\(blob)"))
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(file).path,
                                                       withDestinationPath: "../../blobs/\(blob)")
        }
        if let ref {
            let refs = repository.appendingPathComponent("refs")
            try FileManager.default.createDirectory(at: refs, withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: refs.appendingPathComponent(ref))
        }
        return snapshot
    }

    func testIDResolvesThroughRefsInCacheOrder() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-model-reference")
        defer { folder.remove() }
        let huggingFace = HubCache(root: folder.path("hf")), ours = HubCache(root: folder.path("ours"))
        let reference = ModelReference(caches: [huggingFace, ours])
        let id = HubModelID(owner: "CIDAS", name: "clipseg-rd64-refined")
        XCTAssertThrowsError(try reference.folder(for: "CIDAS/clipseg-rd64-refined")) { error in
            XCTAssertEqual("\(error)", "CIDAS/clipseg-rd64-refined is not downloaded: not in \(folder.path("hf").path) "
                           + "nor in \(folder.path("ours").path)")
        }
        let oursSnapshot = try writeSnapshot(ours.root, id, commit: commit)
        XCTAssertEqual(try reference.folder(for: "CIDAS/clipseg-rd64-refined").path, oursSnapshot.path)
        let other = String(repeating: "1", count: 40)
        let hfSnapshot = try writeSnapshot(huggingFace.root, id, commit: other)
        XCTAssertEqual(try reference.folder(for: "CIDAS/clipseg-rd64-refined").path, hfSnapshot.path, "the Hugging Face cache first")
        // A commit names its snapshot directly; a branch goes through refs/.
        XCTAssertEqual(try reference.folder(for: "CIDAS/clipseg-rd64-refined@\(commit)").path, oursSnapshot.path)
        _ = try writeSnapshot(huggingFace.root, id, commit: String(repeating: "2", count: 40), ref: "v2")
        XCTAssertEqual(try reference.folder(for: "CIDAS/clipseg-rd64-refined@v2").lastPathComponent, String(repeating: "2", count: 40))
        XCTAssertThrowsError(try reference.folder(for: "CIDAS/clipseg-rd64-refined@v3"))
    }

    func testSnapshotWithoutWeightsDoesNotCount() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-model-reference")
        defer { folder.remove() }
        let cache = HubCache(root: folder.path("hf"))
        let id = HubModelID(owner: "o", name: "m")
        let snapshot = try writeSnapshot(cache.root, id, commit: commit, files: ["config.json"])
        XCTAssertThrowsError(try ModelReference(caches: [cache]).folder(for: id)) { error in
            XCTAssertTrue("\(error)".hasSuffix("; the snapshot at \(snapshot.path) holds no model"), "\(error)")
        }
        let bin = try writeSnapshot(cache.root, HubModelID(owner: "o", name: "bin"), commit: commit,
                                    files: ["config.json", "pytorch_model.bin"])
        XCTAssertEqual(try ModelReference(caches: [cache]).folder(for: "o/bin").path, bin.path)
    }

    func testAnExistingFolderWinsOverAnID() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-model-reference")
        defer { folder.remove() }
        let local = folder.path("o/m")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        let cache = HubCache(root: folder.path("hf"))
        _ = try writeSnapshot(cache.root, HubModelID(owner: "o", name: "m"), commit: commit)
        let previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(folder.url.path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertEqual(try ModelReference(caches: [cache]).folder(for: "o/m").path, local.path, "the folder, not the cached id")
        XCTAssertEqual(try ModelReference(caches: [cache]).folder(for: "/no/such/folder").path, "/no/such/folder",
                       "not an id: the path, for the caller to report")
    }

    func testRevisionListingIsRead() throws {
        let json = """
        {"_id":"x","id":"CIDAS/clipseg-rd64-refined","sha":"\(commit)","siblings":[
          {"rfilename":".gitattributes","blobId":"a6344aac8c09253b3b630fb776ae94478aa0275b","size":1519},
          {"rfilename":"config.json","blobId":"9c1a3a8693f29070857102aea691cadcb7e8a806","size":4732},
          {"rfilename":"merges.txt","blobId":"76e821f1b6f0a9709293c3b6b51ed90980b3166b","size":524619},
          {"rfilename":"model.safetensors","blobId":"4ba5ff6e1b8ea2a4ec8b6c8c3d28e28d0f3fe1d5","size":603143560,
           "lfs":{"sha256":"d00ca85d6b859f9d07b7cfb8ef26fe9771cb275b34c9368f2ecf603139307f55","size":603143560,"pointerSize":135}},
          {"rfilename":"pytorch_model.bin","size":603182657,"blobId":"4ba5ff6e1b8ea2a4ec8b6c8c3d28e28d0f3fe1d4",
           "lfs":{"sha256":"dd9308225b8314bb7236f207e6ea72b22db5d90dba03fe3dc7d654f54dcfd08a","size":603182657,"pointerSize":135}},
          {"rfilename":"preprocessor_config.json","blobId":"30fe86be4cc83725316cbc68ed8c78f9d1483642","size":380}]}
        """
        let revision = try HubRevision(json: Data(json.utf8), what: "test")
        XCTAssertEqual(revision.commit, commit)
        let files = try revision.clipsegFiles(id: HubModelID(owner: "CIDAS", name: "clipseg-rd64-refined"))
        XCTAssertEqual(files.map(\.path), ["config.json", "preprocessor_config.json", "merges.txt", "model.safetensors"])
        XCTAssertEqual(files.last?.blobName, "d00ca85d6b859f9d07b7cfb8ef26fe9771cb275b34c9368f2ecf603139307f55")
        XCTAssertEqual(files.last?.size, 603_143_560)
        XCTAssertEqual(files.first?.blobName, "9c1a3a8693f29070857102aea691cadcb7e8a806")
        XCTAssertThrowsError(try HubRevision(json: Data(#"{"sha":"main","siblings":[]}"#.utf8), what: "x"))
        XCTAssertThrowsError(try HubRevision(json: Data("[]".utf8), what: "x"))
        XCTAssertThrowsError(try HubRevision(json: Data(#"{"sha":"\#(commit)","siblings":[{"rfilename":"config.json"}]}"#.utf8), what: "x")
                                .clipsegFiles(id: HubModelID(owner: "a", name: "b"))) { error in
            XCTAssertEqual("\(error)", "a/b at \(commit) holds no model.safetensors or pytorch_model.bin")
        }
    }
}
