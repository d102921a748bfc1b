import XCTest
import TestSupport

/// Runs the real `clipseg` binary.
final class HelpTests: XCTestCase {
    func testHelpListsSubcommands() throws {
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["--help"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stdoutText.contains("tokenize"), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("image"), result.stdoutText)
    }
}
