import ArgumentParser
@testable import clipseg
import XCTest

/// `--follow-motion`/`--no-follow-motion`: on by default for live runs that keep dropped frames, never without them.
final class FollowMotionOptionsTests: XCTestCase {
    func testDefaultIsOnForLiveRunsThatKeepDroppedFrames() throws {
        let none = try FollowMotionOptions.parse([])
        XCTAssertTrue(none.enabled(live: true, keepDroppedFrames: true))
        XCTAssertFalse(none.enabled(live: false, keepDroppedFrames: true), "files drop nothing: off")
        XCTAssertFalse(none.enabled(live: true, keepDroppedFrames: false), "--processed-only writes no dropped frame")
        XCTAssertFalse(try FollowMotionOptions.parse(["--no-follow-motion"]).enabled(live: true, keepDroppedFrames: true))
        XCTAssertTrue(try FollowMotionOptions.parse(["--follow-motion"]).enabled(live: false, keepDroppedFrames: true))
        XCTAssertFalse(try FollowMotionOptions.parse(["--follow-motion"]).enabled(live: true, keepDroppedFrames: false))
    }
}
