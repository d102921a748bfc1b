import MaskRender
import VideoFrames
import XCTest

/// Each per-prompt effect against pixels computed here independently, their order where regions overlap,
/// soft masks, and the redaction margin and blank frame.
final class RegionEffectPainterTests: XCTestCase {
    private let width = 12, height = 8

    /// A frame whose every pixel differs from its neighbours.
    private func frame() -> RGBFrame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = 3 * (y * width + x)
                pixels[i] = UInt8((x * 20 + y * 3) % 256)
                pixels[i + 1] = UInt8((y * 30 + x * 7) % 256)
                pixels[i + 2] = UInt8((x * y * 11 + 5) % 256)
            }
        }
        return RGBFrame(width: width, height: height, pixels: pixels)
    }

    /// Masks whose planes are `regions[p](x, y)` (0…255), probability = mask / 255, threshold 0.5.
    private func masks(_ regions: [(Int, Int) -> UInt8]) -> ShapedMasks {
        var planes: [UInt8] = []
        for region in regions {
            for y in 0..<height { for x in 0..<width { planes.append(region(x, y)) } }
        }
        var union = [UInt8](repeating: 0, count: width * height)
        for p in regions.indices { for i in union.indices { union[i] = max(union[i], planes[p * width * height + i]) } }
        return ShapedMasks(width: width, height: height, promptCount: regions.count, threshold: 0.5,
                           probabilities: planes.map { Float($0) / 255 }, masks: planes, union: union)
    }

    private func pixel(_ frame: RGBFrame, _ x: Int, _ y: Int) -> [UInt8] {
        Array(frame.pixels[(3 * (y * width + x))..<(3 * (y * width + x) + 3)])
    }

    func testFillRemoveAndKeepTouchOnlyTheirRegions() throws {
        let original = frame()
        var picture = original
        let shaped = masks([{ x, _ in x < 4 ? 255 : 0 }, { _, y in y == 7 ? 255 : 0 }, { _, _ in 255 }])
        var painter = RegionEffectPainter(background: .color(RGBColor(red: 1, green: 2, blue: 3)))
        try painter.paint(&picture, original: original, masks: shaped,
                          effects: [.fill(RGBColor(red: 200, green: 100, blue: 0)), .remove, .keep])
        for y in 0..<height {
            for x in 0..<width {
                // fill is painted after remove, so it covers their overlap.
                let expected = x < 4 ? [200, 100, 0] : y == 7 ? [1, 2, 3] : pixel(original, x, y)
                XCTAssertEqual(pixel(picture, x, y), expected, "(\(x), \(y))")
            }
        }
    }

    func testBlurAndPixelateComeFromTheOriginalFrame() throws {
        let original = frame()
        var picture = original
        // The overlay (or anything painted before) must not leak into the blur: paint the picture white first.
        RegionEffectPainter.blank(&picture, color: RGBColor(red: 255, green: 255, blue: 255))
        let shaped = masks([{ x, _ in x >= 6 ? 255 : 0 }, { x, _ in x < 6 ? 255 : 0 }])
        var painter = RegionEffectPainter(blurRadius: 2, blockSize: 4)
        try painter.paint(&picture, original: original, masks: shaped, effects: [.blur, .pixelate])

        var blurred = original.pixels
        var blur = BoxBlur()
        blurred.withUnsafeMutableBufferPointer { blur.blur($0, width: width, height: height, channels: 3, radius: 2, passes: 3) }
        for y in 0..<height {
            for x in 6..<width {
                XCTAssertEqual(pixel(picture, x, y), Array(blurred[(3 * (y * width + x))..<(3 * (y * width + x) + 3)]))
            }
            for x in 0..<6 {
                // The mean of the 4×4 block (4×2 at the right edge of the region is still a 4×4 block of the frame).
                let left = x / 4 * 4, top = y / 4 * 4
                var sums = [0, 0, 0], count = 0
                for by in top..<min(top + 4, height) {
                    for bx in left..<min(left + 4, width) {
                        let p = pixel(original, bx, by)
                        for c in 0..<3 { sums[c] += Int(p[c]) }
                        count += 1
                    }
                }
                XCTAssertEqual(pixel(picture, x, y), sums.map { UInt8(($0 + count / 2) / count) }, "(\(x), \(y))")
            }
        }
    }

    func testRedactionGrowsByItsMarginAndCoversEveryOtherEffect() throws {
        let original = frame()
        var picture = original
        // Prompt 0 (redact) is one pixel at (5, 3); prompt 1 (fill) covers everything.
        let shaped = masks([{ x, y in x == 5 && y == 3 ? 255 : 0 }, { _, _ in 255 }])
        var painter = RegionEffectPainter(redactionMargin: 2)
        try painter.paint(&picture, original: original, masks: shaped,
                          effects: [.redact(RGBColor(red: 0, green: 0, blue: 0)), .fill(RGBColor(red: 9, green: 9, blue: 9))])
        for y in 0..<height {
            for x in 0..<width {
                let inside = abs(x - 5) <= 2 && abs(y - 3) <= 2
                XCTAssertEqual(pixel(picture, x, y), inside ? [0, 0, 0] : [9, 9, 9], "(\(x), \(y))")
            }
        }
    }

    func testSoftMasksBlendAndEmptyOrMissingEffectsPaintNothing() throws {
        let original = frame()
        var picture = original
        let shaped = masks([{ _, _ in 128 }, { _, _ in 0 }, { _, _ in 255 }])
        var painter = RegionEffectPainter()
        try painter.paint(&picture, original: original, masks: shaped,
                          effects: [.fill(RGBColor(red: 255, green: 255, blue: 255)), .blur])   // prompt 2: no effect
        for y in 0..<height {
            for x in 0..<width {
                let before = pixel(original, x, y), after = pixel(picture, x, y)
                for c in 0..<3 {
                    let expected: Int = (255 * 128 + Int(before[c]) * 127 + 127) / 255
                    XCTAssertLessThanOrEqual(abs(Int(after[c]) - expected), 1)
                }
            }
        }
    }

    func testMasksOfAnotherSizeAreRefused() {
        var picture = RGBFrame(width: 4, height: 4)
        let shaped = masks([{ _, _ in 255 }])
        var painter = RegionEffectPainter()
        XCTAssertThrowsError(try painter.paint(&picture, original: picture, masks: shaped, effects: [.blur]))
    }

    func testDilationIsASquareOfTheMargin() {
        var region = [UInt8](repeating: 0, count: 9 * 7)
        region[3 * 9 + 4] = 1
        region[0] = 7
        var dilation = MaskDilation()
        dilation.dilate(&region, width: 9, height: 7, margin: 1)
        for y in 0..<7 {
            for x in 0..<9 {
                let inside = (abs(x - 4) <= 1 && abs(y - 3) <= 1) || (x <= 1 && y <= 1)
                XCTAssertEqual(region[y * 9 + x], inside ? 255 : 0, "(\(x), \(y))")
            }
        }
    }
}
