import VideoFrames
import XCTest
@testable import MaskRender

final class CompositorTests: XCTestCase {
    /// Masks of one prompt with the given union/mask plane.
    private func masks(_ plane: [UInt8], width: Int, height: Int) -> ShapedMasks {
        ShapedMasks(width: width, height: height, promptCount: 1, threshold: 0.4,
                    probabilities: plane.map { Float($0) / 255 }, masks: plane, union: plane)
    }

    private func frame(_ width: Int, _ height: Int, _ pixel: (Int, Int) -> [UInt8]) -> RGBFrame {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += pixel(x, y) } }
        return RGBFrame(width: width, height: height, pixels: pixels, timestamp: 1.5, index: 7)
    }

    private func pixel(_ frame: RGBFrame, _ x: Int, _ y: Int) -> [UInt8] {
        Array(frame.pixels[((y * frame.width + x) * 3)..<((y * frame.width + x) * 3 + 3)])
    }

    func testMixIsExactlyRoundedDivisionBy255() {
        for b in [0, 77, 255] {
            for a in 0...255 {
                for m in 0...255 {
                    let exact = (Double(a * m + b * (255 - m)) / 255).rounded()
                    XCTAssertEqual(Double(Compositor.mix(UInt8(a), UInt8(b), UInt8(m))), exact)
                }
            }
        }
    }

    func testMatteShowsTheUnionAsGray() throws {
        var image = frame(2, 2) { _, _ in [10, 200, 30] }
        var compositor = Compositor(mode: .matte)
        try compositor.render(&image, masks: masks([0, 255, 128, 10], width: 2, height: 2))
        XCTAssertEqual(image.pixels, [0, 0, 0, 255, 255, 255, 128, 128, 128, 10, 10, 10])
        XCTAssertEqual(image.timestamp, 1.5)
        XCTAssertEqual(image.index, 7)
    }

    func testCutoutKeepsTheObjectAndGivesAlpha() throws {
        var image = frame(3, 1) { x, _ in [UInt8(50 * x + 10), 100, 200] }
        var compositor = Compositor(mode: .cutout)
        try compositor.render(&image, masks: masks([255, 0, 128], width: 3, height: 1))
        XCTAssertEqual(image.pixels, [10, 100, 200, 0, 0, 0, 55, 50, 100])
        XCTAssertEqual(compositor.alpha, [255, 0, 128])
    }

    func testReplaceWithAColour() throws {
        var image = frame(2, 1) { _, _ in [200, 10, 10] }
        var compositor = Compositor(mode: .replace, background: .color(RGBColor(red: 0, green: 255, blue: 0)))
        try compositor.render(&image, masks: masks([255, 0], width: 2, height: 1))
        XCTAssertEqual(image.pixels, [200, 10, 10, 0, 255, 0])
    }

    func testReplaceWithAnImageStretchedToTheFrame() throws {
        let red: [UInt8] = [255, 0, 0], blue: [UInt8] = [0, 0, 255]
        let backgroundImage = RGBFrame(width: 2, height: 1, pixels: red + blue)
        var image = frame(4, 2) { _, _ in [9, 9, 9] }
        var compositor = Compositor(mode: .replace, background: .image(backgroundImage))
        try compositor.render(&image, masks: masks([UInt8](repeating: 0, count: 8), width: 4, height: 2))
        // Half-pixel centres: source x = 0, 0.25, 0.75, 1 (clamped) for target columns 0…3.
        let expectedRow: [UInt8] = red + [191, 0, 64] + [64, 0, 191] + blue
        XCTAssertEqual(image.pixels, expectedRow + expectedRow)
    }

    func testBlurKeepsTheObjectSharpAndSmoothsTheBackground() throws {
        // A 1-pixel checkerboard; the object is the left half.
        let width = 40, height = 20
        let original = frame(width, height) { x, y in (x + y) % 2 == 0 ? [0, 0, 0] : [250, 250, 250] }
        var image = original
        let plane = (0..<(width * height)).map { $0 % width < 20 ? UInt8(255) : 0 }
        var compositor = Compositor(mode: .blur, blurRadius: 2)
        try compositor.render(&image, masks: masks(plane, width: width, height: height))
        for y in 0..<height {
            for x in 0..<20 { XCTAssertEqual(pixel(image, x, y), pixel(original, x, y), "object pixel \(x),\(y)") }
            // Away from the object and from the frame border (where repeated edge pixels bias the mean).
            for x in 26..<(width - 3) where (3..<(height - 3)).contains(y) {
                XCTAssertEqual(Int(pixel(image, x, y)[0]), 125, accuracy: 12, "background pixel \(x),\(y) is averaged")
            }
        }
    }

    func testOverlayTintsInsideAndOutlinesTheEdge() throws {
        let width = 6, height = 6
        var image = frame(width, height) { _, _ in [100, 100, 100] }
        // Prompt 0 covers the 4x4 square at (1, 1)…(4, 4).
        let plane = (0..<(width * height)).map { i -> UInt8 in
            let x = i % width, y = i / width
            return (1...4).contains(x) && (1...4).contains(y) ? 255 : 0
        }
        var compositor = Compositor(mode: .overlay)
        try compositor.render(&image, masks: masks(plane, width: width, height: height))
        // Prompt 0 is magenta (240, 50, 230), luma 103: the halo outside the edge is white.
        let outlineColor: [UInt8] = [240, 50, 230]
        XCTAssertEqual(RGBColor.overlayColor(forPrompt: 0), RGBColor(red: 240, green: 50, blue: 230))
        // 50 % tint inside: (100 · 128 + c · 128 + 128) >> 8
        let tinted: [UInt8] = outlineColor.map { (channel: UInt8) -> UInt8 in
            let blended: Int = 100 * 128 + Int(channel) * 128 + 128
            return UInt8(blended >> 8)
        }
        XCTAssertEqual(tinted, [170, 75, 165])
        XCTAssertEqual(pixel(image, 2, 2), tinted, "inside, away from the edge")
        XCTAssertEqual(pixel(image, 1, 1), outlineColor, "inner edge: the prompt's colour")
        XCTAssertEqual(pixel(image, 0, 2), [255, 255, 255], "outer edge: white, contrasting with magenta")
        XCTAssertEqual(pixel(image, 0, 0), [100, 100, 100], "corner: no 4-neighbour differs")
        compositor.outline = false
        var plain = frame(width, height) { _, _ in [100, 100, 100] }
        try compositor.render(&plain, masks: masks(plane, width: width, height: height))
        XCTAssertEqual(pixel(plain, 1, 1), tinted)
        XCTAssertEqual(pixel(plain, 0, 2), [100, 100, 100])
    }

    func testMismatchedSizesAreAnError() {
        var image = frame(2, 2) { _, _ in [0, 0, 0] }
        var compositor = Compositor(mode: .matte)
        XCTAssertThrowsError(try compositor.render(&image, masks: masks([0, 0, 0], width: 3, height: 1))) { error in
            XCTAssertEqual("\(error)", "masks are 3x1 but the frame is 2x2")
        }
    }
}

final class ColorAndBackgroundTests: XCTestCase {
    func testColoursParse() {
        XCTAssertEqual(try RGBColor.parse("#00ff00").get(), RGBColor(red: 0, green: 255, blue: 0))
        XCTAssertEqual(try RGBColor.parse("#0F0").get(), RGBColor(red: 0, green: 255, blue: 0))
        XCTAssertEqual(try RGBColor.parse(" Green ").get(), RGBColor(red: 0, green: 255, blue: 0))
        XCTAssertEqual(try RGBColor.parse("#1a2B3c").get(), RGBColor(red: 0x1A, green: 0x2B, blue: 0x3C))
        XCTAssertEqual(RGBColor(red: 1, green: 171, blue: 255).description, "#01abff")
    }

    func testBadColoursGiveOneLineErrors() {
        let names = RGBColor.named.map(\.name).joined(separator: ", ")
        for text in ["#12345", "#gg0000", "blurple", "", "#"] {
            guard case .failure(let error) = RGBColor.parse(text) else { XCTFail("\(text) parsed"); continue }
            XCTAssertEqual(error.description, "invalid colour '\(text)': expected #rrggbb, #rgb or one of \(names)")
        }
    }

    func testPaletteRepeats() {
        XCTAssertEqual(RGBColor.overlayColor(forPrompt: 0), RGBColor.overlayColor(forPrompt: RGBColor.overlayPalette.count))
        XCTAssertEqual(Set(RGBColor.overlayPalette).count, RGBColor.overlayPalette.count, "colours are distinct")
    }

    /// The first four tints stay away from the colours objects and prompts most often have (the sample
    /// scenes' red, green, blue, yellow, white, black, from Tools/synthetic_scenes.py), and all tints from
    /// each other: at least 100 apart in RGB (Euclidean), so a red object tinted with prompt 0 changes visibly.
    func testPaletteAvoidsCommonObjectColoursAndIsSpreadOut() {
        let objectColours: [(String, RGBColor)] = [
            ("red", RGBColor(red: 215, green: 35, blue: 35)), ("green", RGBColor(red: 40, green: 165, blue: 60)),
            ("blue", RGBColor(red: 35, green: 70, blue: 215)), ("yellow", RGBColor(red: 240, green: 210, blue: 40)),
            ("white", RGBColor(red: 245, green: 245, blue: 245)), ("black", RGBColor(red: 22, green: 22, blue: 22)),
        ]
        func distance(_ a: RGBColor, _ b: RGBColor) -> Double {
            let d = [Double(a.red) - Double(b.red), Double(a.green) - Double(b.green), Double(a.blue) - Double(b.blue)]
            return (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).squareRoot()
        }
        let palette = RGBColor.overlayPalette
        for (index, tint) in palette.prefix(4).enumerated() {
            for (name, object) in objectColours {
                XCTAssertGreaterThanOrEqual(distance(tint, object), 100, "tint \(index) \(tint) is close to \(name)")
            }
        }
        for i in palette.indices {
            for j in palette.indices where j > i {
                XCTAssertGreaterThanOrEqual(distance(palette[i], palette[j]), 100, "\(palette[i]) vs \(palette[j])")
            }
        }
        XCTAssertEqual(RGBColor(red: 0, green: 225, blue: 255).contrastingBlackOrWhite, RGBColor(red: 0, green: 0, blue: 0))
        XCTAssertEqual(RGBColor(red: 130, green: 70, blue: 255).contrastingBlackOrWhite,
                       RGBColor(red: 255, green: 255, blue: 255))
    }

    func testBackgroundValues() throws {
        let image = RGBFrame(width: 1, height: 1, pixels: [1, 2, 3])
        let never: (String) -> Bool = { _ in false }
        XCTAssertEqual(try Background.parse("green", fileExists: never, loadImage: { _ in image }),
                       .color(RGBColor(red: 0, green: 255, blue: 0)))
        XCTAssertEqual(try Background.parse("beach.png", fileExists: { $0 == "beach.png" }, loadImage: { _ in image }),
                       .image(image))
        XCTAssertThrowsError(try Background.parse("beach.png", fileExists: never, loadImage: { _ in image })) { error in
            XCTAssertEqual(error as? BackgroundError, .neitherColorNorFile("beach.png"))
            XCTAssertEqual("\(error)", "'beach.png' is neither a colour (#rrggbb, #rgb or a name such as green) "
                           + "nor an existing image file")
        }
        XCTAssertThrowsError(try Background.parse("#12", fileExists: { _ in true }, loadImage: { _ in image })) { error in
            XCTAssertTrue("\(error)".hasPrefix("invalid colour '#12': expected #rrggbb"), "\(error)")
        }
        XCTAssertEqual(Background.color(RGBColor(red: 1, green: 2, blue: 3)).pixels(width: 2, height: 1), [1, 2, 3, 1, 2, 3])
    }
}
