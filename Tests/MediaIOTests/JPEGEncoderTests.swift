import Foundation
import MediaIO
import TestSupport
import VideoFrames
import XCTest

/// The preview's JPEG encoder: files any decoder reads back (FFmpeg's, through `StillImage`), full-range colours
/// (a limited/full-range mix-up would shift black to 16 and white to 235), odd sizes, and refusals.
final class JPEGEncoderTests: XCTestCase {
    private func roundTrip(_ frame: RGBFrame, quality: Int = 5) throws -> RGBFrame {
        let encoder = try JPEGEncoder(width: frame.width, height: frame.height, quality: quality, name: "test.jpg")
        let bytes = try encoder.encode(frame.pixels)
        XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8], "starts a JPEG file")
        XCTAssertEqual(Array(bytes.suffix(2)), [0xFF, 0xD9], "ends it")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("picture.jpg")
        try Data(bytes).write(to: path)
        return try StillImage.load(path: path.path)
    }

    func testColoursComeBackInFullRange() throws {
        let frame = SyntheticFrame.quadrants(width: 64, height: 48)
        let decoded = try roundTrip(frame)
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.height, 48)
        // Inside each quadrant, away from the edges where 4:2:0 chroma blurs.
        for (x, y, colour) in [(8, 8, [255, 0, 0]), (40, 8, [0, 255, 0]), (8, 32, [0, 0, 255]), (40, 32, [255, 255, 255])] {
            let mean = decoded.meanColor(x: x, y: y, width: 16, height: 8)
            XCTAssertLessThanOrEqual(zip(mean, colour).map { abs($0 - $1) }.max()!, 6, "quadrant at \(x),\(y): \(mean)")
        }
        let black = try roundTrip(RGBFrame(width: 16, height: 16))
        XCTAssertLessThanOrEqual(black.pixels.max()!, 2, "black stays black")
    }

    func testASmoothPictureStaysCloseAndOddSizesWork() throws {
        for (width, height) in [(33, 17), (1, 1), (2, 3)] {
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * 3
                    pixels[i] = UInt8(x * 7)  // gentle slopes: 4:2:0 chroma averages 2×2 blocks
                    pixels[i + 1] = UInt8(40 + y * 9)
                    pixels[i + 2] = 128
                }
            }
            let frame = RGBFrame(width: width, height: height, pixels: pixels)
            let decoded = try roundTrip(frame, quality: 2)
            XCTAssertEqual([decoded.width, decoded.height], [width, height])
            let meanError = zip(decoded.pixels, frame.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / pixels.count
            XCTAssertLessThanOrEqual(meanError, 6, "\(width)x\(height)")
        }
    }

    func testRefusesWrongSizesAndQualities() throws {
        XCTAssertThrowsError(try JPEGEncoder(width: 0, height: 4, name: "x.jpg"))
        XCTAssertThrowsError(try JPEGEncoder(width: 4, height: 4, quality: 1, name: "x.jpg"))
        let encoder = try JPEGEncoder(width: 4, height: 4, name: "x.jpg")
        XCTAssertThrowsError(try encoder.encode([UInt8](repeating: 0, count: 47))) { error in
            XCTAssertTrue(String(describing: error).contains("expected 48 bytes for a 4x4 picture, got 47"), "\(error)")
        }
    }
}
