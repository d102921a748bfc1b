import MaskRender
import VideoFrames
import XCTest

/// The framing window: the first box is framed at once (grown by the margin, at the frame's aspect), wobbles
/// inside the dead zone never move it, a jump is followed at the speed limit, and no box holds it.
final class AutoFramingTests: XCTestCase {
    private let width = 640, height = 360

    func testTheFirstBoxIsFramedWithItsMarginAtTheFramesAspect() {
        var framing = AutoFraming()
        let window = framing.update(box: [300, 150, 64, 36], frameWidth: width, frameHeight: height, time: 0)
        // 64×36 grown by 25 % a side is 96×54, below the minimum (a quarter of the frame): 160×90, centred.
        XCTAssertEqual(window, AutoFraming.Window(x: 252, y: 123, width: 160, height: 90))
        let wide = AutoFraming().target(for: [0, 0, 400, 100], in: AutoFraming.Window(x: 0, y: 0, width: 640, height: 360))
        XCTAssertEqual(wide.width / wide.height, 640.0 / 360, accuracy: 1e-9)
        XCTAssertEqual(wide.x, 0, "kept inside the frame")
    }

    func testWobblesInsideTheDeadZoneDoNotMoveThePicture() {
        var framing = AutoFraming()
        let first = framing.update(box: [200, 100, 200, 120], frameWidth: width, frameHeight: height, time: 0)
        for (step, wobble) in [3, -4, 6, -2, 5, 0, -6].enumerated() {
            let window = framing.update(box: [200 + wobble, 100 - wobble, 200 + wobble, 120], frameWidth: width,
                                        frameHeight: height, time: Double(step + 1) / 30)
            XCTAssertEqual(window, first, "wobble \(wobble)")
        }
    }

    func testAJumpIsFollowedAtTheSpeedLimitAndNothingFoundHoldsTheWindow() {
        var framing = AutoFraming()
        let start = framing.update(box: [40, 100, 160, 90], frameWidth: width, frameHeight: height, time: 0)
        var previous = start
        for frame in 1...90 {
            let window = framing.update(box: [440, 100, 160, 90], frameWidth: width, frameHeight: height, time: Double(frame) / 30)
            let moved = abs((window.x + window.width / 2) - (previous.x + previous.width / 2))
            XCTAssertLessThanOrEqual(moved, 0.6 * 640 / 30 + 1e-9, "frame \(frame)")
            previous = window
        }
        XCTAssertEqual(previous.x + previous.width / 2, 520, accuracy: 0.04 * 640, "arrived within the dead zone")
        XCTAssertEqual(framing.update(box: nil, frameWidth: width, frameHeight: height, time: 4), previous)
    }

    func testCroppingScalesTheWindowToTheWholePicture() {
        var pixels = [UInt8](repeating: 0, count: 8 * 4 * 3)
        for y in 0..<4 { for x in 0..<8 { pixels[(y * 8 + x) * 3] = UInt8(x * 10) } }
        let picture = RGBFrame(width: 8, height: 4, pixels: pixels, timestamp: 1.5, index: 7)
        let cropped = AutoFraming.crop(picture, to: AutoFraming.Window(x: 4, y: 2, width: 4, height: 2))
        XCTAssertEqual(cropped.width, 8)
        XCTAssertEqual(cropped.height, 4)
        XCTAssertEqual(cropped.timestamp, 1.5)
        // Every pixel comes from the right half: red 40…70.
        let reds = stride(from: 0, to: cropped.pixels.count, by: 3).map { cropped.pixels[$0] }
        XCTAssertTrue(reds.allSatisfy { (40...70).contains($0) }, "\(reds)")
        XCTAssertEqual(AutoFraming.crop(picture, to: AutoFraming.Window(x: 0, y: 0, width: 8, height: 4)), picture)
    }
}
