import VideoFrames
import XCTest
@testable import MaskRender

/// `OverlayPlan` paints exactly what tinting and outlining each frame from its masks gives, on every frame
/// that shares the masks.
final class OverlayPlanTests: XCTestCase {
    /// Tint then outline, prompt by prompt, straight from the masks: the overlay as `Compositor` documents it,
    /// written out pixel by pixel (the specification the plan must match byte for byte).
    private func referenceOverlay(_ frame: RGBFrame, _ masks: ShapedMasks, opacity: Float, outline: Bool) -> [UInt8] {
        var pixels = frame.pixels
        let width = masks.width, height = masks.height, plane = masks.planeSize
        let strength = UInt32(min(max(opacity, 0), 1) * 256)
        for p in 0..<masks.promptCount {
            let color = RGBColor.overlayColor(forPrompt: p), halo = color.contrastingBlackOrWhite
            let tint = [UInt32(color.red), UInt32(color.green), UInt32(color.blue)]
            let mask = Array(masks.masks[(p * plane)..<((p + 1) * plane)])
            for i in 0..<plane where mask[i] != 0 {
                let w = (strength * UInt32(mask[i]) + 127) / 255
                for c in 0..<3 { pixels[3 * i + c] = UInt8((UInt32(pixels[3 * i + c]) * (256 - w) + tint[c] * w + 128) >> 8) }
            }
            guard outline else { continue }
            for y in 0..<height {
                for x in 0..<width {
                    let i = y * width + x, inside = mask[i] >= 128
                    let neighbours = [x > 0 ? i - 1 : nil, x + 1 < width ? i + 1 : nil,
                                      y > 0 ? i - width : nil, y + 1 < height ? i + width : nil].compactMap { $0 }
                    guard neighbours.contains(where: { (mask[$0] >= 128) != inside }) else { continue }
                    let ink = inside ? color : halo
                    pixels[3 * i] = ink.red
                    pixels[3 * i + 1] = ink.green
                    pixels[3 * i + 2] = ink.blue
                }
            }
        }
        return pixels
    }

    /// Three overlapping soft discs (values 0…255, hard edges and soft ramps) on a 37×23 frame.
    private func discs(width: Int, height: Int) -> ShapedMasks {
        let centres = [(9.0, 8.0, 7.0), (20.0, 12.0, 9.0), (30.0, 17.0, 5.0)]
        var masks: [UInt8] = []
        for (cx, cy, r) in centres {
            for y in 0..<height {
                for x in 0..<width {
                    let d = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot()
                    masks.append(UInt8(max(0, min(255, (r + 1.5 - d) * 90))))
                }
            }
        }
        let plane = width * height
        let union = (0..<plane).map { i in (0..<centres.count).map { masks[$0 * plane + i] }.max()! }
        return ShapedMasks(width: width, height: height, promptCount: centres.count, threshold: 0.5,
                           probabilities: masks.map { Float($0) / 255 }, masks: masks, union: union)
    }

    private func noise(width: Int, height: Int, seed: UInt32) -> RGBFrame {
        var state = seed
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        return RGBFrame(width: width, height: height, pixels: pixels)
    }

    func testPaintingOnePlanOnSeveralFramesMatchesTheOverlayFromTheMasks() throws {
        let masks = discs(width: 37, height: 23)
        for (opacity, outline) in [(Float(0.5), true), (0.8, false), (1, true), (0, true)] {
            let plan = OverlayPlan(masks: masks, opacity: opacity, outline: outline)
            for seed in [1, 2, 3] as [UInt32] {
                var frame = noise(width: 37, height: 23, seed: seed)
                let expected = referenceOverlay(frame, masks, opacity: opacity, outline: outline)
                try plan.paint(&frame)
                XCTAssertEqual(frame.pixels, expected, "opacity \(opacity), outline \(outline), frame \(seed)")
            }
        }
        // And the compositor's overlay mode is the same.
        var compositor = Compositor(mode: .overlay)
        var frame = noise(width: 37, height: 23, seed: 9)
        let expected = referenceOverlay(frame, masks, opacity: 0.5, outline: true)
        try compositor.render(&frame, masks: masks)
        XCTAssertEqual(frame.pixels, expected)
    }

    func testPlanKeepsOnlyTheTouchedAndOutlinePixels() {
        // One prompt, a 2×2 full square in a 6×4 frame: 4 tinted pixels, all 4 on the inner edge, and the
        // 8 four-neighbours around it on the outer edge.
        var mask = [UInt8](repeating: 0, count: 24)
        for i in [8, 9, 14, 15] { mask[i] = 255 }
        let masks = ShapedMasks(width: 6, height: 4, promptCount: 1, threshold: 0.5,
                                probabilities: mask.map { Float($0) / 255 }, masks: mask, union: mask)
        let plan = OverlayPlan(masks: masks, opacity: 0.5, outline: true)
        XCTAssertEqual(plan.layers.count, 1)
        XCTAssertEqual(plan.layers[0].tinted, [8, 9, 14, 15])
        XCTAssertEqual(plan.layers[0].weights, [128, 128, 128, 128])
        XCTAssertEqual(plan.layers[0].innerEdge, [8, 9, 14, 15])
        XCTAssertEqual(plan.layers[0].outerEdge, [2, 3, 7, 10, 13, 16, 20, 21])
    }

    func testAFrameOfAnotherSizeIsAnError() {
        let plan = OverlayPlan(masks: discs(width: 37, height: 23), opacity: 0.5, outline: true)
        var frame = noise(width: 36, height: 23, seed: 1)
        XCTAssertThrowsError(try plan.paint(&frame)) {
            XCTAssertEqual(($0 as? CompositorError)?.message, "masks are 37x23 but the frame is 36x23")
        }
    }
}
