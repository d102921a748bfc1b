import Foundation
import XCTest
import TestSupport
@testable import ModelHub

/// SHA-256 and git's blob SHA-1 against FIPS 180 vectors, `sha256sum`, `git hash-object` and the blob ids the
/// hub lists for CIDAS/clipseg-rd64-refined's files (../shared fixtures, copied into Tests/Fixtures).
final class HashTests: XCTestCase {
    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hex(of: [UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Fed in uneven pieces (crossing block boundaries at every offset) the digest is the same as in one piece.
    func testSHA256InPiecesMatchesOnePiece() {
        let bytes = (0..<41).flatMap { _ in (0..<256).map { UInt8($0) } }
        var hasher = SHA256()
        var start = 0, piece = 1
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            hasher.update(bytes[start..<end])
            start = end
            piece = piece % 131 + 7
        }
        XCTAssertEqual(hasher.finalize().hexDigits, "ab6b9b1d71dcfec981b828ca8b9d280b6cf90fb42d788542331933d444aed8cf")
        for length in 54...66 {  // the padding's edge cases around one block
            let message = [UInt8](repeating: 0x5a, count: length)
            var split = SHA256()
            split.update(message.prefix(length / 2))
            split.update(message.dropFirst(length / 2))
            XCTAssertEqual(split.finalize().hexDigits, SHA256.hex(of: message), "length \(length)")
        }
    }

    func testSHA256AgreesWithSha256sum() throws {
        let folder = try TemporaryDirectory(prefix: "clipseg-sha256")
        defer { folder.remove() }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300_001).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: folder.path("random.bin"))
        let result = try ChildProcess.runTool("sha256sum", [folder.path("random.bin").path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(String(result.stdoutText.prefix(64)), SHA256.hex(of: bytes))
    }

    func testGitBlobIDs() throws {
        var empty = GitBlobSHA1(plain: ())
        XCTAssertEqual(empty.finalizeHex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        var abc = GitBlobSHA1(plain: ())
        abc.update(Array("abc".utf8))
        XCTAssertEqual(abc.finalizeHex(), "a9993e364706816aba3e25717850c26c9cd0d89d")
        var long = GitBlobSHA1(plain: ())
        long.update(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        XCTAssertEqual(long.finalizeHex(), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        var hello = GitBlobSHA1(size: 6)
        hello.update(Array("hello\n".utf8))
        XCTAssertEqual(hello.finalizeHex(), "ce013625030ba8dba906f756967f9e9ca394464a")  // git hash-object
        // The hub's blob ids of the real CIDAS/clipseg-rd64-refined files.
        let real = TestPaths.fixtures.appendingPathComponent("cidas-clipseg-rd64-refined")
        for (file, blobID) in [("config.json", "9c1a3a8693f29070857102aea691cadcb7e8a806"),
                               ("preprocessor_config.json", "30fe86be4cc83725316cbc68ed8c78f9d1483642"),
                               ("tokenizer_config.json", "446c39016ef7112b9ace812c98641502da0193d1"),
                               ("special_tokens_map.json", "2c2130b544c0c5a72d5d00da071ba130a9800fb2")] {
            let data = try Data(contentsOf: real.appendingPathComponent(file))
            var hasher = GitBlobSHA1(size: Int64(data.count))
            hasher.update(data)
            XCTAssertEqual(hasher.finalizeHex(), blobID, file)
        }
    }
}
