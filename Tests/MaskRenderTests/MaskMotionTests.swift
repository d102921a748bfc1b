import TestSupport
import VideoFrames
import XCTest
@testable import MaskRender

/// Masks that follow motion: `LumaThumbnail`, `BlockMatching` on a textured object moved by a known offset
/// over a static noisy background, `ShapedMasks.moved(by:)` and `MaskMotionFollower` end to end.
final class MaskMotionTests: XCTestCase {
    // MARK: Synthetic scenes

    /// Value noise: random values on a grid of `cell`-pixel cells, interpolated bilinearly (a texture with
    /// detail at every scale down to `cell`, so box-averaged thumbnails of shifted copies still match).
    private struct ValueNoise {
        let cell: Int, columns: Int, values: [Float]
        init(seed: UInt64, width: Int, height: Int, cell: Int, range: ClosedRange<Float>) {
            var random = SplitMix64(seed: seed)
            self.cell = cell
            columns = width / cell + 2
            values = (0..<(columns * (height / cell + 2))).map { _ in Float.random(in: range, using: &random) }
        }
        func callAsFunction(_ x: Int, _ y: Int) -> Float {
            let cx = x / cell, cy = y / cell, fx = Float(x % cell) / Float(cell), fy = Float(y % cell) / Float(cell)
            let v = { (i: Int, j: Int) in values[(cy + j) * columns + cx + i] }
            return (v(0, 0) * (1 - fx) + v(1, 0) * fx) * (1 - fy) + (v(0, 1) * (1 - fx) + v(1, 1) * fx) * fy
        }
    }

    /// A `width × height` grey picture: a static texture (values 40…215) on the left two thirds, flat 128 on
    /// the right third, with an independent ±`noise` on every pixel; a `side × side` square with its own
    /// texture (0…255) and its top-left corner at `object`. Textures have `cell`-pixel detail.
    private func scene(width: Int, height: Int, object: (x: Int, y: Int), side: Int, noise: Int,
                       seed: UInt64, cell: Int = 1) -> [UInt8] {
        let background = ValueNoise(seed: 1, width: width, height: height, cell: cell, range: 40...215)
        let pattern = ValueNoise(seed: 2, width: side, height: side, cell: cell, range: 0...255)
        var sensor = SplitMix64(seed: seed)
        var luma = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var value = x < width * 2 / 3 ? background(x, y) : 128
                if (object.x..<(object.x + side)).contains(x) && (object.y..<(object.y + side)).contains(y) {
                    value = pattern(x - object.x, y - object.y)
                }
                if noise > 0 { value += Float(Int.random(in: -noise...noise, using: &sensor)) }
                luma[y * width + x] = UInt8(clamping: Int(value.rounded()))
            }
        }
        return luma
    }

    private func grey(_ luma: [UInt8], width: Int, height: Int) -> RGBFrame {
        RGBFrame(width: width, height: height, pixels: luma.flatMap { [$0, $0, $0] })
    }

    /// One prompt whose mask is the `side × side` square at `at` (probability 1 inside, 0 outside).
    private func squareMasks(width: Int, height: Int, at: (x: Int, y: Int), side: Int) -> ShapedMasks {
        var mask = [UInt8](repeating: 0, count: width * height)
        for y in max(at.y, 0)..<min(at.y + side, height) { for x in max(at.x, 0)..<min(at.x + side, width) { mask[y * width + x] = 255 } }
        return ShapedMasks(width: width, height: height, promptCount: 1, threshold: 0.5,
                           probabilities: mask.map { Float($0) / 255 }, masks: mask, union: mask)
    }

    private func iou(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var both = 0, either = 0
        for i in a.indices {
            let x = a[i] >= 128, y = b[i] >= 128
            if x && y { both += 1 }
            if x || y { either += 1 }
        }
        return either == 0 ? 1 : Double(both) / Double(either)
    }

    // MARK: LumaThumbnail

    func testThumbnailAveragesLumaOverBoxesAndPicksTheScaleFromTheWidth() {
        XCTAssertEqual(LumaThumbnail.scale(forFrameWidth: 640), 4)
        XCTAssertEqual(LumaThumbnail.scale(forFrameWidth: 1920), 12)
        XCTAssertEqual(LumaThumbnail.scale(forFrameWidth: 100), 1)
        // 5×3 frame, scale 2 → 2×1 thumbnail; the last column and row are left out.
        var pixels: [UInt8] = []
        for y in 0..<3 { for x in 0..<5 { pixels += y == 0 && x < 2 ? [255, 255, 255] : (x < 2 ? [0, 0, 0] : [255, 0, 0]) } }
        let thumbnail = LumaThumbnail(frame: RGBFrame(width: 5, height: 3, pixels: pixels), scale: 2)
        XCTAssertEqual([thumbnail.width, thumbnail.height, thumbnail.scale], [2, 1, 2])
        XCTAssertEqual(thumbnail.luma, [128, 77])  // (255+255+0+0)/4; red: 77·255/256 ≈ 76.7
    }

    // MARK: BlockMatching

    /// A textured square moved by (+3, −2) thumbnail pixels over a static background with ±3 noise: the
    /// blocks over the moved square point back to where it was, (−3, +2) · scale frame pixels, and the
    /// background blocks (textured and flat) stay exactly at zero.
    func testBlockMatchingFindsTheKnownShiftOverTheObjectAndZeroOnTheNoisyBackground() {
        let width = 96, height = 72, scale = 4, side = 24, matching = BlockMatching(blockSize: 6)
        let before = (x: 30, y: 24), after = (x: 33, y: 22)
        let reference = LumaThumbnail(width: width, height: height, scale: scale,
                                      luma: scene(width: width, height: height, object: before, side: side, noise: 3, seed: 10))
        let current = LumaThumbnail(width: width, height: height, scale: scale,
                                    luma: scene(width: width, height: height, object: after, side: side, noise: 3, seed: 11))
        let field = matching.estimate(current: current, reference: reference)
        XCTAssertEqual([field.columns, field.rows, field.blockSize], [16, 12, 24])
        var objectBlocks = 0, backgroundBlocks = 0
        for r in 0..<field.rows {
            for c in 0..<field.columns {
                let x0 = c * 6, y0 = r * 6, i = r * field.columns + c
                func overlaps(_ o: (x: Int, y: Int)) -> Bool {
                    x0 < o.x + side && o.x < x0 + 6 && y0 < o.y + side && o.y < y0 + 6
                }
                let inside = x0 >= after.x && x0 + 6 <= after.x + side && y0 >= after.y && y0 + 6 <= after.y + side
                if inside {
                    objectBlocks += 1
                    XCTAssertEqual(field.dx[i], -3 * Int32(scale), accuracy: 1, "block \(c),\(r)")
                    XCTAssertEqual(field.dy[i], 2 * Int32(scale), accuracy: 1, "block \(c),\(r)")
                } else if !overlaps(before) && !overlaps(after) {
                    backgroundBlocks += 1
                    XCTAssertEqual([field.dx[i], field.dy[i]], [0, 0], "block \(c),\(r)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(objectBlocks, 9)
        XCTAssertGreaterThan(backgroundBlocks, 120)
        // Thumbnails that do not match in size give a zero field.
        let small = LumaThumbnail(width: 48, height: 36, scale: scale, luma: [UInt8](repeating: 9, count: 48 * 36))
        XCTAssertTrue(matching.estimate(current: small, reference: reference).isZero)
    }

    // MARK: Moving masks

    func testMasksMovedByAUniformFieldLandWhereTheContentWentWithTheBorderRepeated() {
        let width = 40, height = 30
        let masks = squareMasks(width: width, height: height, at: (x: 5, y: 4), side: 10)
        // Content moved by (+7, +3): backward vector (−7, −3).
        let moved = masks.moved(by: .uniform(dx: -7, dy: -3, frameWidth: width, frameHeight: height))
        XCTAssertEqual(moved.masks, squareMasks(width: width, height: height, at: (x: 12, y: 7), side: 10).masks)
        XCTAssertEqual(moved.union, moved.masks)
        XCTAssertEqual(moved.probabilities, moved.masks.map { Float($0) / 255 })
        // Moved left by 8 past the edge: column 0 is repeated where content comes in from outside.
        let edge = squareMasks(width: width, height: height, at: (x: 0, y: 0), side: 10)
            .moved(by: .uniform(dx: -8, dy: 0, frameWidth: width, frameHeight: height))
        XCTAssertEqual(edge.masks, squareMasks(width: width, height: height, at: (x: 0, y: 0), side: 18).masks.enumerated()
            .map { $0.offset / width < 10 ? $0.element : 0 })
        // A zero field or a field of another size changes nothing.
        XCTAssertEqual(masks.moved(by: .uniform(dx: 0, dy: 0, frameWidth: width, frameHeight: height)).masks, masks.masks)
        XCTAssertEqual(masks.moved(by: .uniform(dx: 3, dy: 0, frameWidth: 20, frameHeight: height)).masks, masks.masks)
    }

    /// End to end: frames of 320×240 (thumbnail scale 2) with a textured square moving by (+5, +3) frame pixels
    /// a frame; the mask of the first frame, followed through four frames, matches the square's true place
    /// (IoU ≥ 0.9), where the unmoved mask would not.
    func testFollowerMovesTheReferenceMaskOntoLaterFrames() throws {
        let width = 320, height = 240, side = 64
        func frame(_ k: Int) -> RGBFrame {
            grey(scene(width: width, height: height, object: (x: 60 + 5 * k, y: 50 + 3 * k), side: side, noise: 3,
                       seed: UInt64(100 + k), cell: 6), width: width, height: height)
        }
        let masks = squareMasks(width: width, height: height, at: (x: 60, y: 50), side: side)
        var follower = MaskMotionFollower()
        XCTAssertNil(follower.follow(masks, to: frame(1)), "no reference yet")
        follower.reset(to: frame(0))
        for k in 1...4 {
            let moved = try XCTUnwrap(follower.follow(masks, to: frame(k)))
            let truth = squareMasks(width: width, height: height, at: (x: 60 + 5 * k, y: 50 + 3 * k), side: side)
            XCTAssertGreaterThanOrEqual(iou(moved.masks, truth.masks), 0.9, "frame \(k)")
            if k == 4 { XCTAssertLessThan(iou(masks.masks, truth.masks), 0.6, "the unmoved mask is off") }
        }
        XCTAssertNil(follower.follow(masks, to: RGBFrame(width: 32, height: 24)), "another size")
    }
}
