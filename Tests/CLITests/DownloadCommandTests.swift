import Foundation
import XCTest
import ModelHub
import TestSupport

/// `clipseg download` against a hub stand-in on loopback (`DownloadTestHub`): the cache layout huggingface_hub
/// writes, resuming a cut transfer with Range, refusing a wrong hash, 401/404 lines, a full disk, Ctrl-C.
final class DownloadCommandTests: XCTestCase {
    private let manager = FileManager.default

    private func lines(_ result: ProcessResult) -> [String] {
        result.stderrText.split(separator: "\n").map(String.init)
    }

    func testFullDownloadWritesTheHuggingFaceCacheLayout() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        let result = try test.download()
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, test.snapshot.path + "\n")
        XCTAssertEqual(try String(contentsOf: test.repositoryFolder.appendingPathComponent("refs/main"), encoding: .utf8),
                       DownloadTestHub.commit)
        // Snapshot entries are relative links to blobs named by sha256 (LFS) or git blob id.
        let links = try manager.contentsOfDirectory(atPath: test.snapshot.path).sorted()
        XCTAssertEqual(links, ["config.json", "merges.txt", "model.safetensors", "preprocessor_config.json",
                               "special_tokens_map.json", "tokenizer_config.json", "vocab.json"])
        XCTAssertEqual(try manager.destinationOfSymbolicLink(atPath: test.snapshot.appendingPathComponent("model.safetensors").path),
                       "../../blobs/\(test.weightsSHA256)")
        XCTAssertEqual(try manager.destinationOfSymbolicLink(atPath: test.snapshot.appendingPathComponent("tokenizer_config.json").path),
                       "../../blobs/446c39016ef7112b9ace812c98641502da0193d1")
        XCTAssertEqual(try Data(contentsOf: test.snapshot.appendingPathComponent("model.safetensors")), test.weights)
        let blobs = try manager.contentsOfDirectory(atPath: test.repositoryFolder.appendingPathComponent("blobs").path)
        XCTAssertEqual(blobs.count, 7)
        XCTAssertFalse(blobs.contains { $0.hasSuffix(".incomplete") })
        XCTAssertFalse(test.hub.requests.contains { $0.path.hasSuffix("pytorch_model.bin") }, "safetensors is preferred")
        // Not a terminal: one line per file, then where the model is.
        XCTAssertTrue(lines(result).contains { $0.hasPrefix("model.safetensors: 2.5 MB downloaded and verified in ") }, result.stderrText)
        XCTAssertEqual(lines(result).last, "CIDAS/clipseg-rd64-refined is in \(test.snapshot.path)")
        XCTAssertEqual(test.weightRequests.count, 1)

        // The id now resolves through the cache, for every command that takes --model, and as the default.
        let tokens = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", "CIDAS/clipseg-rd64-refined", "a cat"],
                                          environment: test.environment())
        XCTAssertEqual(tokens.stdoutText, "[49406,320,2368,49407]\n", tokens.stderrText)
        let byDefault = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "a cat"], environment: test.environment())
        XCTAssertEqual(byDefault.stdoutText, "[49406,320,2368,49407]\n", byDefault.stderrText)
        let fromVariable = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "a cat"],
                                                environment: test.environment(["CLIPSEG_MODEL": "CIDAS/clipseg-rd64-refined@main"]))
        XCTAssertEqual(fromVariable.stdoutText, "[49406,320,2368,49407]\n", fromVariable.stderrText)

        // A second run finds everything in place and fetches nothing.
        let again = try test.download()
        XCTAssertEqual(again.status, 0, again.stderrText)
        XCTAssertTrue(lines(again).contains("model.safetensors: already there"), again.stderrText)
        XCTAssertEqual(test.weightRequests.count, 1)
    }

    func testCutConnectionIsResumedWithARange() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        test.hub.cutOnce(test.weightsSHA256, after: 1_000_000)
        let result = try test.download()
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(lines(result).contains("model.safetensors: the connection ended after 1.0 MB; resuming"), result.stderrText)
        XCTAssertEqual(test.weightRequests.map { $0.headers["range"] }, [nil, "bytes=1000000-"])
        XCTAssertEqual(try Data(contentsOf: test.snapshot.appendingPathComponent("model.safetensors")), test.weights)
    }

    func testWrongHashIsRefusedAndKeptOnlyAsAPartial() throws {
        let test = try DownloadTestHub { weights in
            var corrupt = weights
            corrupt[corrupt.count / 2] ^= 0xFF
            return corrupt
        }
        defer { test.stop() }
        let result = try test.download()
        XCTAssertEqual(result.status, 1)
        let last = try XCTUnwrap(lines(result).last)
        XCTAssertTrue(last.hasPrefix("Error: model.safetensors is corrupt: its hash is "), last)
        XCTAssertTrue(last.contains(", the hub lists \(test.weightsSHA256); it was not placed (the bytes stay in "
                                    + "\(test.weightsPartial.path), downloaded again from the start next time)"), last)
        XCTAssertFalse(manager.fileExists(atPath: test.snapshot.appendingPathComponent("model.safetensors").path))
        XCTAssertFalse(manager.fileExists(atPath: test.repositoryFolder.appendingPathComponent("blobs/\(test.weightsSHA256)").path))
        XCTAssertFalse(manager.fileExists(atPath: test.repositoryFolder.appendingPathComponent("refs/main").path),
                       "no ref to an incomplete snapshot")
        XCTAssertEqual(try manager.attributesOfItem(atPath: test.weightsPartial.path)[.size] as? Int, test.weights.count)
        // The model is not usable: --model with the id still says how to download it.
        let tokens = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", "CIDAS/clipseg-rd64-refined", "a"],
                                          environment: test.environment())
        XCTAssertEqual(tokens.status, 1)
        XCTAssertTrue(tokens.stderrText.hasSuffix("download it with: clipseg download CIDAS/clipseg-rd64-refined\n"),
                      tokens.stderrText)

        // Once the hub serves the right bytes, the corrupt partial is dropped and the file fetched again.
        let fixed = try DownloadTestHub()
        defer { fixed.stop() }
        let rerun = try ChildProcess.run(TestPaths.clipsegBinary, ["download"],
                                         environment: fixed.environment(["HF_HUB_CACHE": test.cache.path]))
        XCTAssertEqual(rerun.status, 0, rerun.stderrText)
        XCTAssertTrue(lines(rerun).contains("model.safetensors: the partial download from an earlier run is corrupt; "
                                            + "downloading it again"), rerun.stderrText)
        XCTAssertEqual(try Data(contentsOf: test.snapshot.appendingPathComponent("model.safetensors")), test.weights)
    }

    func testMoreBytesThanListedAreRefused() throws {
        let test = try DownloadTestHub { $0 + Data(repeating: 1, count: 10) }
        defer { test.stop() }
        let result = try test.download()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(lines(result).last, "Error: model.safetensors arrived with \(test.weights.count + 10) bytes where the hub "
                       + "lists \(test.weights.count); it was not placed (kept in \(test.weightsPartial.path))")
        XCTAssertFalse(manager.fileExists(atPath: test.snapshot.appendingPathComponent("model.safetensors").path))
    }

    func testGatedRepositoryNeedsTheTokenWhichNeverLeavesTheHub() throws {
        let test = try DownloadTestHub(gated: true)
        defer { test.stop() }
        let refused = try test.download()
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderrText, "Error: the hub answered 401 for CIDAS/clipseg-rd64-refined revision main: "
                       + "no such repository, or it is private or gated: set HF_TOKEN to a token of an account that may "
                       + "read it (Access to model CIDAS/clipseg-rd64-refined is restricted.)\n")
        let token = test.hub.token
        let wrong = try test.download(["--token", "hf_wrong"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderrText.contains("the token in HF_TOKEN was refused"), wrong.stderrText)
        XCTAssertFalse(wrong.stderrText.contains("hf_wrong"))
        let allowed = try test.download([], ["HF_TOKEN": token])
        XCTAssertEqual(allowed.status, 0, allowed.stderrText)
        XCTAssertFalse(allowed.stderrText.contains(token) || allowed.stdoutText.contains(token))
        let hubRequests = test.hub.requests.filter { !$0.storage && $0.headers["authorization"] == "Bearer \(token)" }
        XCTAssertGreaterThanOrEqual(hubRequests.count, 7, "the revision and every file asked of the hub carry the token")
        XCTAssertEqual(test.weightRequests.count, 1)
        XCTAssertNil(test.weightRequests.first?.headers["authorization"], "not sent to the storage host it redirects to")
    }

    func testMissingRepositoryRevisionAndBadIDsAreOneLine() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        let missing = try test.download(["nobody/nothing"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderrText, "Error: the hub answered 401 for nobody/nothing revision main: no such repository, "
                       + "or it is private or gated: set HF_TOKEN to a token of an account that may read it\n")
        let revision = try test.download(["--revision", "v9"])
        XCTAssertEqual(revision.status, 1)
        XCTAssertEqual(revision.stderrText, "Error: the hub answered 404 for CIDAS/clipseg-rd64-refined revision v9: no such revision\n")
        let badID = try test.download(["../etc/passwd"])
        XCTAssertEqual(badID.status, 64)
        XCTAssertTrue(badID.stderrText.hasPrefix("Error: ../etc/passwd is not a hub id: give OWNER/NAME or OWNER/NAME@REVISION"),
                      badID.stderrText)
        let both = try test.download(["--to", "x", "--cache-dir", "y"])
        XCTAssertEqual(both.status, 64)
        let unreachable = try ChildProcess.run(TestPaths.clipsegBinary, ["download"],
                                               environment: test.environment(["HF_ENDPOINT": "http://127.0.0.1:1"]))
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderrText.hasPrefix("Error: could not fetch CIDAS/clipseg-rd64-refined revision main from 127.0.0.1: "),
                      unreachable.stderrText)
        XCTAssertEqual(unreachable.stderrText.filter { $0 == "\n" }.count, 1)
    }

    /// The partial file is a link to /dev/full, whose writes fail with ENOSPC as a full disk's do.
    func testFullDiskIsOneLineAndLeavesNothingPlaced() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        try manager.createDirectory(at: test.weightsPartial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: test.weightsPartial.path, withDestinationPath: "/dev/full")
        let result = try test.download()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(lines(result).last, "Error: no space left on the device of \(test.weightsPartial.path) after 0 B of 2.5 MB; "
                       + "free some space and run the download again to resume")
        XCTAssertFalse(manager.fileExists(atPath: test.snapshot.appendingPathComponent("model.safetensors").path))
    }

    /// Starts `clipseg download` in the background, its standard error going to `stderrFile`.
    private func startDownload(_ test: DownloadTestHub, stderrFile: URL) throws -> Process {
        _ = manager.createFile(atPath: stderrFile.path, contents: nil)
        let process = Process()
        process.executableURL = TestPaths.clipsegBinary
        process.arguments = ["download"]
        process.environment = ChildProcess.childEnvironment(test.environment())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        return process
    }

    /// Polls (for another process's progress, not for timing) until `condition` holds or a minute has passed.
    private func poll(_ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !condition() && Date() < deadline { usleep(5000) }
    }

    /// Before a file is fetched, the free space of its device is compared with what the listing says it needs:
    /// a weight file listed at 1 EB is refused at once, nothing fetched.
    func testFileLargerThanTheFreeSpaceIsRefusedBeforeItIsFetched() throws {
        let test = try DownloadTestHub(listedWeightsSize: 1_000_000_000_000_000_000)
        defer { test.stop() }
        let result = try test.download()
        XCTAssertEqual(result.status, 1)
        let last = try XCTUnwrap(lines(result).last)
        XCTAssertTrue(last.hasPrefix("Error: model.safetensors needs 1000000000.00 GB more and the device of "
                                     + "\(test.repositoryFolder.path)/blobs has "), last)
        XCTAssertTrue(last.hasSuffix(" free; free some space and run the download again"), last)
        XCTAssertTrue(test.weightRequests.isEmpty)
    }

    func testInterruptKeepsThePartialAndARerunResumes() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        test.hub.stall(test.weightsSHA256, after: 1_500_000)
        let stderrFile = test.folder.path("stderr.txt")
        let process = try startDownload(test, stderrFile: stderrFile)
        poll { (try? manager.attributesOfItem(atPath: test.weightsPartial.path)[.size] as? Int) == 1_500_000 }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130)
        let stderr = try String(contentsOf: stderrFile, encoding: .utf8)
        XCTAssertTrue(stderr.hasSuffix("clipseg: interrupted; the partial download is kept, run the same command again to resume\n"), stderr)
        XCTAssertEqual(try manager.attributesOfItem(atPath: test.weightsPartial.path)[.size] as? Int, 1_500_000)
        XCTAssertFalse(manager.fileExists(atPath: test.snapshot.appendingPathComponent("model.safetensors").path))

        test.hub.release(test.weightsSHA256)
        let rerun = try test.download()
        XCTAssertEqual(rerun.status, 0, rerun.stderrText)
        XCTAssertTrue(lines(rerun).contains("model.safetensors: resuming after 1.5 MB"), rerun.stderrText)
        XCTAssertEqual(test.weightRequests.last?.headers["range"], "bytes=1500000-")
        XCTAssertEqual(try Data(contentsOf: test.snapshot.appendingPathComponent("model.safetensors")), test.weights)
    }

    func testToWritesAPlainFolder() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        let target = test.folder.path("plain")
        let result = try test.download(["--to", target.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, target.path + "\n")
        let names = try manager.contentsOfDirectory(atPath: target.path).sorted()
        XCTAssertEqual(names, ["config.json", "merges.txt", "model.safetensors", "preprocessor_config.json",
                               "special_tokens_map.json", "tokenizer_config.json", "vocab.json"])
        XCTAssertEqual(try manager.attributesOfItem(atPath: target.appendingPathComponent("model.safetensors").path)[.type]
                       as? FileAttributeType, .typeRegular)
        XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent("model.safetensors")), test.weights)
        XCTAssertFalse(manager.fileExists(atPath: test.cache.path), "the cache is left alone")
        let again = try test.download(["--to", target.path])
        XCTAssertEqual(again.status, 0, again.stderrText)
        XCTAssertTrue(lines(again).contains("model.safetensors: already there"), again.stderrText)
        XCTAssertEqual(test.weightRequests.count, 1)
    }

    /// Two downloads of one model at once take turns on huggingface_hub's lock file: the second waits, then finds
    /// the blob the first placed and fetches nothing.
    func testConcurrentDownloadsTakeTurnsOnTheBlobLock() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        test.hub.stall(test.weightsSHA256, after: 1_000_000)
        let first = try startDownload(test, stderrFile: test.folder.path("first.txt"))
        poll { (try? manager.attributesOfItem(atPath: test.weightsPartial.path)[.size] as? Int) == 1_000_000 }
        let second = try startDownload(test, stderrFile: test.folder.path("second.txt"))
        let waiting = "model.safetensors: another download of this file is running; waiting for it"
        poll { ((try? String(contentsOf: test.folder.path("second.txt"), encoding: .utf8)) ?? "").contains(waiting) }
        XCTAssertTrue(manager.fileExists(atPath: test.cache.appendingPathComponent(
            ".locks/models--CIDAS--clipseg-rd64-refined/\(test.weightsSHA256).lock").path))
        test.hub.release(test.weightsSHA256)
        first.waitUntilExit()
        second.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(second.terminationStatus, 0)
        let secondLog = try String(contentsOf: test.folder.path("second.txt"), encoding: .utf8)
        XCTAssertTrue(secondLog.contains(waiting), secondLog)
        XCTAssertEqual(test.weightRequests.count, 1)
        XCTAssertEqual(try Data(contentsOf: test.snapshot.appendingPathComponent("model.safetensors")), test.weights)
    }

    /// `--cache-dir` fills another cache in the same layout; clipseg's own (~/.cache/clipseg/hub) is searched after
    /// the Hugging Face cache. A commit as the revision writes no ref and is found by the same commit.
    func testCacheDirAndACommitRevision() throws {
        let test = try DownloadTestHub()
        defer { test.stop() }
        let ours = test.folder.path(".cache/clipseg/hub")
        let result = try test.download(["CIDAS/clipseg-rd64-refined@\(DownloadTestHub.commit)", "--cache-dir", ours.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let snapshot = ours.appendingPathComponent("models--CIDAS--clipseg-rd64-refined/snapshots/\(DownloadTestHub.commit)")
        XCTAssertEqual(result.stdoutText, snapshot.path + "\n")
        XCTAssertFalse(manager.fileExists(atPath: ours.appendingPathComponent("models--CIDAS--clipseg-rd64-refined/refs").path))
        XCTAssertFalse(manager.fileExists(atPath: test.cache.path), "the Hugging Face cache is left alone")
        let byCommit = try ChildProcess.run(TestPaths.clipsegBinary,
                                            ["tokenize", "--model", "CIDAS/clipseg-rd64-refined@\(DownloadTestHub.commit)", "a cat"],
                                            environment: test.environment())
        XCTAssertEqual(byCommit.stdoutText, "[49406,320,2368,49407]\n", byCommit.stderrText)
        let byBranch = try ChildProcess.run(TestPaths.clipsegBinary, ["tokenize", "--model", "CIDAS/clipseg-rd64-refined", "a"],
                                            environment: test.environment())
        XCTAssertEqual(byBranch.status, 1, "no ref names main in either cache")
        let badEndpoint = try test.download([], ["HF_ENDPOINT": "ftp://mirror"])
        XCTAssertEqual(badEndpoint.status, 64)
        XCTAssertEqual(badEndpoint.stderrText, "Error: HF_ENDPOINT ftp://mirror is not an http:// or https:// address\n")
    }

    /// A repository with only pytorch_model.bin: the download takes it, `--model OWNER/NAME` finds the snapshot, and
    /// `clipseg image` gives the same logits as the same weights in model.safetensors.
    func testPyTorchOnlyRepositoryDownloadsAndRuns() throws {
        let hub = try HubStandIn()
        let folder = try TemporaryDirectory(prefix: "clipseg-download-bin")
        defer { hub.stop(); folder.remove() }
        let p8 = TestPaths.fixtures.appendingPathComponent("clipseg/p8-plain-f32")
        let bin = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("torch-checkpoint/clipseg-p8/pytorch_model.bin"))
        var files = try ["config.json", "preprocessor_config.json"].map { name in
            let content = try Data(contentsOf: p8.appendingPathComponent(name))
            return HubStandIn.File(path: name, content: content, blobID: DownloadTestHub.blobID(content))
        }
        files.append(HubStandIn.File(path: "pytorch_model.bin", content: bin, sha256: SHA256.hex(of: bin),
                                     blobID: String(repeating: "c", count: 40)))
        hub.add("someone/clipseg-p8", HubStandIn.Repository(commit: DownloadTestHub.commit, files: files))
        let environment = ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": folder.path("hf").path, "HF_TOKEN": "",
                           "HOME": folder.url.path]
        let download = try ChildProcess.run(TestPaths.clipsegBinary, ["download", "someone/clipseg-p8"], environment: environment)
        XCTAssertEqual(download.status, 0, download.stderrText)
        XCTAssertEqual(try manager.contentsOfDirectory(atPath: download.stdoutText.trimmingCharacters(in: .newlines)).sorted(),
                       ["config.json", "preprocessor_config.json", "pytorch_model.bin"])
        var logits: [[Float]] = []
        for model in ["someone/clipseg-p8", p8.path] {
            let output = folder.path("logits-\(logits.count).npy")
            let image = try ChildProcess.run(TestPaths.clipsegBinary,
                                             ["image", p8.appendingPathComponent("photo.png").path, "--model", model,
                                              "--image-prompt", p8.appendingPathComponent("prompt.png").path,
                                              "--logits", output.path], environment: environment)
            XCTAssertEqual(image.status, 0, image.stderrText)
            logits.append(try NPY.readFloat32(output).values)
        }
        XCTAssertFalse(logits[0].isEmpty)
        XCTAssertEqual(logits[0], logits[1])
    }
}
