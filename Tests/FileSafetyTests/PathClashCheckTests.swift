import FileSafety
import TestSupport
import XCTest

/// Outputs that reach an input or each other, however the path is spelled.
final class PathClashCheckTests: XCTestCase {
    private var folder: TemporaryDirectory!
    private var input = ""

    override func setUpWithError() throws {
        folder = try TemporaryDirectory(prefix: "clipseg-clash")
        input = folder.path("in.mp4").path
        XCTAssertTrue(FileManager.default.createFile(atPath: input, contents: Data("video".utf8)))
        try FileManager.default.createDirectory(at: folder.path("sub"), withIntermediateDirectories: false)
    }

    override func tearDown() { folder.remove() }

    private func clash(_ outputs: [(String, OutputPlace)], inputs: [String]? = nil) -> PathClash? {
        PathClashCheck.firstClash(inputs: (inputs ?? [input]).map { RoledPath(role: "INPUT", place: $0) },
                                  outputs: outputs.map { RoledPath(role: $0.0, place: $0.1) })
    }

    func testEverySpellingOfTheInputIsCaught() throws {
        let link = folder.path("link.mp4").path
        let hard = folder.path("hard.mp4").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "in.mp4")
        try FileManager.default.linkItem(atPath: input, toPath: hard)
        let linkedFolder = folder.path("linked").path
        try FileManager.default.createSymbolicLink(atPath: linkedFolder, withDestinationPath: folder.url.path)
        for spelling in [input, link, hard, folder.path("sub/../in.mp4").path, linkedFolder + "/in.mp4",
                         folder.url.path + "//./in.mp4"] {
            let found = clash([("--masks", .file(spelling))])
            XCTAssertEqual(found, PathClash(outputRole: "--masks", outputPath: spelling, otherRole: "INPUT",
                                            otherPath: input, otherIsInput: true), spelling)
        }
        XCTAssertNil(clash([("--masks", .file(folder.path("masks.y4m").path))]))
    }

    func testADanglingLinkToTheInputsNameAndTwoNewOutputsOnOnePath() throws {
        let dangling = folder.path("dangling").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "sub/new.mkv")
        let found = clash([("-o", .file(folder.path("sub/new.mkv").path)), ("--stats", .file(dangling))])
        XCTAssertEqual(found?.outputRole, "--stats")
        XCTAssertEqual(found?.otherRole, "-o")
        XCTAssertEqual(found?.otherIsInput, false)
        XCTAssertNotNil(clash([("-o", .file("x.mkv")), ("--stats", .file("./x.mkv"))]))
    }

    func testPictureSequencesClashByPattern() throws {
        let frame = folder.path("sub/00003.png").path
        XCTAssertTrue(FileManager.default.createFile(atPath: frame, contents: Data([0])))
        let sequence = OutputPlace.frames(folder: folder.path("sub").path, pattern: .fiveDigitPNG)
        XCTAssertEqual(clash([("--masks", sequence)], inputs: [frame])?.otherPath, frame)
        XCTAssertNil(clash([("--masks", .frames(folder: folder.path("sub").path,
                                                pattern: try FrameNamePattern(name: "m_%05d.png")))], inputs: [frame]))
        XCTAssertNotNil(clash([("-o", sequence), ("--masks", .frames(folder: folder.path("sub/.").path,
                                                                   pattern: try FrameNamePattern(name: "%d.png")))]))
        XCTAssertNotNil(clash([("-o", sequence), ("--stats", .file(folder.path("sub/00000.png").path))]))
    }

    func testStandardStreamsAndTheNullDevice() throws {
        XCTAssertNil(clash([("-o", .file("/dev/null")), ("--stats", .file("/dev/null"))]),
                     "any number of outputs may write to the null device")
        XCTAssertTrue(FileIdentity(path: "/dev/null")?.isNullDevice ?? false)
        XCTAssertFalse(FileIdentity(path: "/dev/zero")?.isNullDevice ?? true)
        XCTAssertEqual(FileIdentity(path: "/dev/null")?.kind, .characterDevice)
        XCTAssertNil(clash([("-o", .file(folder.path("missing-input.mp4").path))],
                           inputs: [folder.path("missing-input.mp4").path]),
                     "an input that does not exist is not compared (opening it fails on its own)")
    }
}
