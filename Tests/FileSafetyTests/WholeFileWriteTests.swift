import FileSafety
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file writes: replaced once complete where the user could replace the file, in place where not,
/// and never over a device or a pipe.
final class WholeFileWriteTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws { folder = try TemporaryDirectory(prefix: "clipseg-write") }
    override func tearDown() { folder.remove() }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0, path)
        return info.st_mode
    }

    func testANewFileAndAReplacedFileKeepTheirMode() throws {
        let path = folder.path("out.npy").path
        try WholeFileWrite.write([1, 2, 3], to: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([1, 2, 3]))
        XCTAssertEqual(chmod(path, 0o640), 0)
        try WholeFileWrite.write([4, 5], to: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([4, 5]))
        XCTAssertEqual(mode(path) & 0o777, 0o640, "the original file's mode is kept")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        XCTAssertEqual(leftovers, ["out.npy"], "no temporary file is left")
    }

    func testASymbolicLinkIsKeptAndItsTargetWritten() throws {
        let target = folder.path("target.png").path
        let link = folder.path("link.png").path
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data([9])))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.png")
        try WholeFileWrite.write([7, 7], to: link)
        XCTAssertEqual(mode(link) & S_IFMT, S_IFLNK)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target)), Data([7, 7]))
    }

    func testAHardLinkedFileIsWrittenInPlaceSoEveryNameSeesIt() throws {
        let first = folder.path("a.npy").path
        let second = folder.path("b.npy").path
        XCTAssertTrue(FileManager.default.createFile(atPath: first, contents: Data([1])))
        try FileManager.default.linkItem(atPath: first, toPath: second)
        try WholeFileWrite.write([2, 2], to: second)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), Data([2, 2]))
    }

    func testADeviceNodeStaysADevice() throws {
        let node = folder.path("null").path
        guard mknod(node, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 else {
            throw XCTSkip("mknod is not permitted here (\(String(cString: strerror(errno))))")
        }
        try WholeFileWrite.write(Array(repeating: 1, count: 100_000), to: node)
        XCTAssertEqual(mode(node) & S_IFMT, S_IFCHR, "still a character device")
        XCTAssertTrue(FileIdentity(path: node)?.isNullDevice ?? false)
    }

    func testANamedPipeIsWrittenToItsReader() throws {
        let fifo = folder.path("pipe").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        try WholeFileWrite.write(Array("through the pipe".utf8), to: fifo)
        let received = output.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        XCTAssertEqual(String(decoding: received, as: UTF8.self), "through the pipe")
        XCTAssertEqual(mode(fifo) & S_IFMT, S_IFIFO, "still a named pipe")
    }

    func testAFolderIsRefusedAndAMissingFolderNamed() throws {
        XCTAssertThrowsError(try WholeFileWrite.write([1], to: folder.url.path)) { error in
            XCTAssertEqual((error as? WholeFileWrite.Failure)?.reason, "it is a folder")
        }
        let missing = folder.path("no/such/out.npy").path
        XCTAssertThrowsError(try WholeFileWrite.write([1], to: missing)) { error in
            XCTAssertEqual("\(error)", "\(missing): write failed (No such file or directory)")
        }
    }
}
