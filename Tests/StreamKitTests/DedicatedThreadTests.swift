import Foundation
import XCTest
@testable import StreamKit
#if canImport(Glibc)
import Glibc
#endif

/// The one way the program starts a thread: named as the kernel shows it, lowered when asked, off the
/// cooperative pool, with the body's result or error handed back.
final class DedicatedThreadTests: XCTestCase {
    func testStartNamesAndLowersTheThreadAndItsChildren() {
        let before = ThreadNiceness.current
        let done = DispatchSemaphore(value: 0)
        let seen = Seen()
        DedicatedThread.start(name: "clipseg-test-ds", niceness: 2) {
            let child = onNewThread { (osThreadName(), kernelNiceValue(), kernelPolicy()) }
            seen.record([osThreadName(), Thread.current.name, kernelNiceValue().map(String.init), kernelPolicy().map(String.init),
                         child.0, child.1.map(String.init), child.2.map(String.init)])
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        let lowered = String(min(19, before + 2))
        XCTAssertEqual(seen.values, ["clipseg-test-ds", "clipseg-test-ds", lowered, "3", "clipseg-test-ds", lowered, "3"])
        XCTAssertEqual(ThreadNiceness.current, before, "the caller keeps its value")
    }

    func testNiceness0KeepsTheCallersPriorityAndTheKernelKeeps15BytesOfTheName() async throws {
        let before = ThreadNiceness.current
        let seen = try await DedicatedThread.run(name: "clipseg camera check") { (osThreadName(), kernelNiceValue(), kernelPolicy()) }
        XCTAssertEqual(seen.0, "clipseg camera", "first 15 bytes (the trailing blank is trimmed by the reader)")
        XCTAssertEqual(seen.1, before)
        XCTAssertEqual(seen.2, 0)
    }

    func testRunReturnsTheResultOrTheErrorFromAnotherThread() async {
        struct Refused: Error, Equatable {}
        let pooled = await Task.detached { UInt(bitPattern: Int(pthread_self())) }.value
        let ran = try? await DedicatedThread.run(name: "clipseg-test-dr") { UInt(bitPattern: Int(pthread_self())) }
        XCTAssertNotNil(ran)
        XCTAssertNotEqual(ran, pooled, "not on a cooperative-pool thread")
        do {
            _ = try await DedicatedThread.run(name: "clipseg-test-de") { () -> Int in throw Refused() }
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error as? Refused, Refused())
        }
    }
}

/// What the started thread saw, read by the test after it signalled.
private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String?] = []
    func record(_ values: [String?]) { lock.withLock { recorded = values } }
    var values: [String?] { lock.withLock { recorded } }
}
