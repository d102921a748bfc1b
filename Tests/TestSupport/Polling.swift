import Foundation
import XCTest

/// Waits (polling every millisecond) until `condition` holds; fails the test after `seconds`.
/// For waiting on another thread's progress, never for timing anything.
public func waitUntil(_ what: String, seconds: Double = 20, file: StaticString = #filePath, line: UInt = #line,
                      _ condition: () -> Bool) async {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline {
            XCTFail("timed out waiting until \(what)", file: file, line: line)
            return
        }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
}
