import Foundation
import ReducedPrecision
import TestSupport
import XCTest

/// `restartQuietlyIfNeeded` re-runs the program with the quiet settings in its startup
/// environment (which only an exec can change), exactly once, keeping a user's own values.
final class ThreadWaitPolicyTests: XCTestCase {
    private static let probeVariable = "CLIPSEG_WAIT_POLICY_PROBE"

    func testRestartAddsMissingSettingsOnceAndKeepsTheUsersOwn() throws {
        if ProcessInfo.processInfo.environment[Self.probeVariable] == "1" {
            // Child: restart (unless already quiet), then report what this process image started with.
            ThreadWaitPolicy.restartQuietlyIfNeeded()
            print("wait policy probe pid \(getpid()): \(ThreadWaitPolicy.summary) quiet=\(ThreadWaitPolicy.isQuiet)")
            return
        }
        let testBundle = try InstructionSetTests.testBundleExecutable()
        let filter = "ReducedPrecisionTests.ThreadWaitPolicyTests/testRestartAddsMissingSettingsOnceAndKeepsTheUsersOwn"
        // Empty counts as unset; the user's OMP_WAIT_POLICY=ACTIVE must survive.
        let result = try ChildProcess.run(testBundle, [filter], environment: [
            Self.probeVariable: "1", "OMP_WAIT_POLICY": "ACTIVE", "OPENBLAS_THREAD_TIMEOUT": "",
        ])
        let output = result.stdoutText + result.stderrText
        XCTAssertEqual(result.status, 0, output)
        let reports = output.split(separator: "\n").filter { $0.hasPrefix("wait policy probe") }
        XCTAssertEqual(reports.count, 1, output)
        XCTAssertTrue(reports.first?.hasSuffix("OMP_WAIT_POLICY=ACTIVE OPENBLAS_THREAD_TIMEOUT=4 quiet=true") == true, output)
    }

    func testSummaryNamesEverySetting() {
        let summary = ThreadWaitPolicy.summary
        for setting in ThreadWaitPolicy.quietSettings { XCTAssertTrue(summary.contains(setting.name), summary) }
    }
}
