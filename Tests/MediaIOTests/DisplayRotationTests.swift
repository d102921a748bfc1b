@testable import MediaIO
import VideoFrames
import XCTest

/// Display matrices to quarter turns, and turning pictures pixel by pixel.
final class DisplayRotationTests: XCTestCase {
    /// A 3×2 picture whose pixel (x, y) is (10x + y, 0, 0): row 0 = 0 10 20, row 1 = 1 11 21.
    private let picture = RGBFrame(width: 3, height: 2, pixels: [0, 10, 20, 1, 11, 21].flatMap { [UInt8($0), 0, 0] },
                                   timestamp: 1.5, index: 7)

    private func reds(_ frame: RGBFrame) -> [Int] { stride(from: 0, to: frame.pixels.count, by: 3).map { Int(frame.pixels[$0]) } }

    func testQuarterTurnsMoveEveryPixel() {
        let clockwise = DisplayRotation.clockwise90.apply(to: picture)
        XCTAssertEqual([clockwise.width, clockwise.height], [2, 3])
        XCTAssertEqual(reds(clockwise), [1, 0, 11, 10, 21, 20])
        let counter = DisplayRotation.counterClockwise90.apply(to: picture)
        XCTAssertEqual([counter.width, counter.height], [2, 3])
        XCTAssertEqual(reds(counter), [20, 21, 10, 11, 0, 1])
        let half = DisplayRotation.halfTurn.apply(to: picture)
        XCTAssertEqual([half.width, half.height], [3, 2])
        XCTAssertEqual(reds(half), [21, 11, 1, 20, 10, 0])
        XCTAssertEqual(DisplayRotation.none.apply(to: picture), picture)
        XCTAssertEqual(clockwise.timestamp, 1.5)
        XCTAssertEqual(clockwise.index, 7)
    }

    func testDisplayMatricesAsFFmpegWritesThem() {
        // 16.16 fixed point; what FFmpeg 5.1 stores for `rotate=90` (ffprobe: "rotation=90").
        let rotate90: [Int32] = [0, -65536, 0, 65536, 0, 0, 0, 0, 1 << 30]
        let rotate180: [Int32] = [-65536, 0, 0, 0, -65536, 0, 0, 0, 1 << 30]
        let rotate270: [Int32] = [0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30]
        let identity: [Int32] = [65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30]
        XCTAssertEqual(rotate90.withUnsafeBufferPointer { DisplayRotation(displayMatrix: $0.baseAddress) }, .counterClockwise90)
        XCTAssertEqual(rotate180.withUnsafeBufferPointer { DisplayRotation(displayMatrix: $0.baseAddress) }, .halfTurn)
        XCTAssertEqual(rotate270.withUnsafeBufferPointer { DisplayRotation(displayMatrix: $0.baseAddress) }, .clockwise90)
        XCTAssertEqual(identity.withUnsafeBufferPointer { DisplayRotation(displayMatrix: $0.baseAddress) }, DisplayRotation.none)
        XCTAssertEqual(DisplayRotation(displayMatrix: nil), DisplayRotation.none)
    }
}
