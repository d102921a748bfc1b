import MediaIO
import TestSupport
import VideoFrames
import XCTest

/// `VideoFileSource.skip(until:)`: what a live run that fell behind asks of a file or stream.
final class VideoFileSourceSkipTests: XCTestCase {
    func testSkipPassesOverEarlierFramesKeepingTheirNumbersAndWarnsOfNothing() throws {
        let source = try VideoFileSource(path: TestPaths.samples.appendingPathComponent("videos/shapes.mp4").path)
        defer { source.close() }
        let first = try XCTUnwrap(try source.nextFrame())
        XCTAssertEqual(first.index, 0)
        XCTAssertTrue(source.skip(until: 2.0))
        let next = try XCTUnwrap(try source.nextFrame())
        XCTAssertGreaterThanOrEqual(next.timestamp, 2.0)
        XCTAssertLessThan(next.timestamp, 2.0 + 1.0 / 30 + 1e-6, "the first frame at or after the target")
        XCTAssertEqual(next.index, Int((next.timestamp * 30).rounded()), "indices stay the source's frame numbers")
        XCTAssertGreaterThan(source.framesSkipped, 0)
        XCTAssertLessThanOrEqual(source.framesSkipped, next.index - 1, "non-reference frames are not even decoded")
        var last = next
        while let frame = try source.nextFrame() {
            XCTAssertGreaterThan(frame.index, last.index)
            XCTAssertLessThanOrEqual(frame.index, last.index + 2, "decoding goes on normally after the target")
            last = frame
        }
        XCTAssertEqual(last.index, 239, "the last frame keeps its number")
        XCTAssertEqual(source.warnings, [], "frames left out on purpose are no sign of a truncated input")
    }
}
