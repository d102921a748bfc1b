import FileSafety
import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 as a careless user meets it, on the real binary: outputs that would reach an input (through a
/// symlink, a hard link or `..`), another output, a device or a pipe; existing outputs and `-y`/`-n`.
final class OutputSafetyTests: SegmentModelTestCase {
    private var clip = ""
    private var clipBytes = Data()

    override func setUpWithError() throws {
        try super.setUpWithError()
        clip = path("in.mp4")
        try SegmentTestKit.makeClip(URL(fileURLWithPath: clip), seconds: 0.5, rate: 10)
        clipBytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: false)
    }

    private func segment(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try SegmentTestKit.run([clip, "--model", model, "--prompt", "cat", "--quiet"] + arguments, stdin: stdin)
    }

    private func assertRefused(_ result: ProcessResult, status: Int32 = 64, mentioning parts: [String],
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, result.stderrText, file: file, line: line)
        let lines = result.stderrText.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.stderrText)", file: file, line: line)
        for part in parts { XCTAssertTrue(result.stderrText.contains(part), "\(part) in \(result.stderrText)", file: file, line: line) }
    }

    func testEveryOutputOptionRefusesTheInputHoweverItIsReached() throws {
        try FileManager.default.createSymbolicLink(atPath: path("link.mp4"), withDestinationPath: "in.mp4")
        try FileManager.default.linkItem(atPath: clip, toPath: path("hard.mp4"))
        for spelling in [path("link.mp4"), path("hard.mp4"), path("sub/../in.mp4")] {
            for option in [["-o", spelling], ["--masks", spelling, "--mask-format", "gray"], ["--stats", spelling]] {
                let result = try segment(option + ["-y"])
                assertRefused(result, mentioning: [option[0] + " " + spelling, "the input \(clip)"])
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: clip)), clipBytes, "input intact after \(option)")
            }
        }
    }

    func testPromptPicturesBackgroundsControlFilesAndTheModelAreInputsToo() throws {
        let picture = path("mug.png")
        XCTAssertEqual(try ChildProcess.runTool("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=red:size=32x32",
                                                           "-frames:v", "1", picture]).status, 0)
        let pictureBytes = try Data(contentsOf: URL(fileURLWithPath: picture))
        assertRefused(try segment(["--image-prompt", picture, "--stats", picture, "-y"]),
                      mentioning: ["--stats \(picture)", "--image-prompt \(picture)"])
        assertRefused(try segment(["--mode", "replace", "--background", picture, "-o", path("o.mp4"),
                                   "--masks", picture, "--mask-format", "gray", "-y"]),
                      mentioning: ["--masks \(picture)", "--background \(picture)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o.mp4")), "nothing opened before the check")
        XCTAssertTrue(FileManager.default.createFile(atPath: path("control.txt"), contents: Data("quit\n".utf8)))
        assertRefused(try segment(["--control", path("control.txt"), "--stats", path("control.txt"), "-y"]),
                      mentioning: ["--stats", "--control"])
        let config = model + "/config.json"
        let configBytes = try Data(contentsOf: URL(fileURLWithPath: config))
        assertRefused(try segment(["--masks", config, "--mask-format", "gray", "-y"]), mentioning: ["--masks", "--model"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: config)), configBytes)

        // clipseg image: its picture and prompt pictures are inputs of --logits and -o.
        for (option, target) in [("--logits", picture), ("-o", picture)] {
            let result = try ChildProcess.run(TestPaths.clipsegBinary, ["image", picture, "--model", model, "--prompt", "x",
                                                                        option, target, "-y"])
            assertRefused(result, mentioning: ["\(option) \(target)", "IMAGE \(picture)"])
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: picture)), pictureBytes)
    }

    func testTwoOutputsOnOnePathAreRefusedBeforeEitherOpens() throws {
        assertRefused(try segment(["-o", path("x.mkv"), "--stats", path("sub/../x.mkv")]),
                      mentioning: ["--stats", "-o \(path("x.mkv"))", "the same file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.mkv")))
        assertRefused(try segment(["-o", path("frames") + "/", "--masks", path("frames") + "/%d.png"]),
                      mentioning: ["--masks", "-o"])
    }

    func testExistingOutputsFollowFFmpegsConvention() throws {
        let stats = path("s.ndjson")
        XCTAssertTrue(FileManager.default.createFile(atPath: stats, contents: Data("keep me\n".utf8)))
        assertRefused(try segment(["--stats", stats]), status: 1, mentioning: ["already exists", "-y"])
        assertRefused(try segment(["--stats", stats, "-n"]), status: 1, mentioning: ["already exists", "-n"])
        XCTAssertEqual(try String(contentsOfFile: stats, encoding: .utf8), "keep me\n")
        let overwritten = try segment(["--stats", stats, "-y"])
        XCTAssertEqual(overwritten.status, 0, overwritten.stderrText)
        XCTAssertEqual(try SegmentTestKit.statistics(URL(fileURLWithPath: stats)).count, 5)
        let both = try segment(["--stats", path("t.ndjson"), "-y", "-n"])
        XCTAssertEqual(both.status, 64, both.stderrText)
        XCTAssertTrue(both.stderrText.hasPrefix("Error: -y (--overwrite) and -n (--no-overwrite) exclude each other\n"))
    }

    func testAPictureFolderReusedByAShorterRunHoldsOnlyItsFrames() throws {
        let long = path("long.mp4")
        try SegmentTestKit.makeClip(URL(fileURLWithPath: long), seconds: 1.2, rate: 10)
        let masks = path("masks") + "/"
        let first = try SegmentTestKit.run([long, "--model", model, "--prompt", "cat", "--quiet", "--masks", masks])
        XCTAssertEqual(first.status, 0, first.stderrText)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: masks).count, 12)
        assertRefused(try segment(["--masks", masks]), status: 1, mentioning: ["already holds 12 frames", "-y"])
        let second = try segment(["--masks", masks, "-y"])
        XCTAssertEqual(second.status, 0, second.stderrText)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: masks).sorted(),
                       (0..<5).map { String(format: "%05d.png", $0) }, "the longer run's frames are gone")
        // A pattern is checked before anything is written.
        assertRefused(try segment(["-o", path("pat_%s.png")]), mentioning: ["%s"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix("pat_") }, [])
    }

    func testDevicesAndNamedPipesAreWrittenInPlace() throws {
        let node = path("null")
        if mknod(node, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 {
            let toDevice = try segment(["--stats", node, "-o", node])
            XCTAssertEqual(toDevice.status, 0, toDevice.stderrText)
            let image = try ChildProcess.run(TestPaths.clipsegBinary, ["image", SegmentTestKit.stillFrame(of: clip, in: folder),
                                                                      "--model", model, "--prompt", "x", "--logits", node])
            XCTAssertEqual(image.status, 0, image.stderrText)
            XCTAssertEqual(FileIdentity(path: node)?.kind, .characterDevice, "the node is still a device")
            XCTAssertTrue(FileIdentity(path: node)?.isNullDevice ?? false)
        } else {
            print("mknod not permitted here (\(String(cString: strerror(errno)))); device-node part skipped")
        }
        let fifo = path("stats.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let received = Pipe()
        reader.standardOutput = received
        try reader.run()
        let result = try segment(["--stats", fifo])
        let text = String(decoding: received.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(text.split(separator: "\n").count, 5, "the reader got every statistics line")
        XCTAssertEqual(FileIdentity(path: fifo)?.kind, .fifo, "still a named pipe")

        // A video into a named pipe is written as a stream (fragmented MP4) that its reader can play.
        let videoPipe = path("video.mp4")
        XCTAssertEqual(mkfifo(videoPipe, 0o600), 0)
        let copy = path("copy.mp4")
        let copier = Process()
        copier.executableURL = URL(fileURLWithPath: "/bin/sh")
        copier.arguments = ["-c", "cat \"$0\" > \"$1\"", videoPipe, copy]
        try copier.run()
        let video = try segment(["-o", videoPipe])
        copier.waitUntilExit()
        XCTAssertEqual(video.status, 0, video.stderrText)
        XCTAssertEqual(try SegmentTestKit.frameCount(copy), 5)
        XCTAssertEqual(FileIdentity(path: videoPipe)?.kind, .fifo)
    }

    func testAFileTheUserMayWriteButNotReplaceIsWrittenInPlace() throws {
        guard geteuid() == 0 else { throw XCTSkip("needs root to run the binary as another user") }
        let locked = path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        let target = locked + "/out.npy"
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: Data("old".utf8)))
        XCTAssertEqual(chmod(target, 0o666), 0)
        XCTAssertEqual(chmod(locked, 0o755), 0)
        for parent in [folder.url.path, model] { XCTAssertEqual(chmod(parent, 0o755), 0) }
        let picture = try SegmentTestKit.stillFrame(of: clip, in: folder)
        let before = FileIdentity(path: target)
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                          ["--reuid=65534", "--regid=65534", "--clear-groups", TestPaths.clipsegBinary.path,
                                           "image", picture, "--model", model, "--prompt", "x", "--logits", target, "-y"])
        guard !result.stderrText.contains("Permission denied") || result.status == 0 else {
            throw XCTSkip("the unprivileged user cannot reach the binary here: \(result.stderrText)")
        }
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(FileIdentity(path: target), before, "same inode: written in place, not replaced")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target)).prefix(6), Data([0x93] + Array("NUMPY".utf8)))
    }
}
