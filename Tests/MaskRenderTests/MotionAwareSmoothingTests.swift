import MaskRender
import VideoFrames
import XCTest

/// `--smooth auto`: the picture's change per block (`PictureChange`) and the shaper's per-pixel average.
final class MotionAwareSmoothingTests: XCTestCase {
    private func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// One prompt's logits, the same value on an 8×2 frame (the size of the masks, so no resampling).
    private func shape(_ shaper: inout MaskShaper, _ logit: Float, width: Int = 8, revision: Int = 0,
                       change: PictureChange?) -> [Float] {
        shaper.shape(logits: [Float](repeating: logit, count: width * 2), logitsWidth: width, logitsHeight: 2,
                     positiveCount: 1, frameWidth: width, frameHeight: 2, promptRevision: revision,
                     pictureChange: change).probabilities
    }

    private let still = PictureChange(width: 2, height: 1, change: [0, 0])
    /// The right block changed by far more than `movingChange`, the left one not at all.
    private let rightMoved = PictureChange(width: 2, height: 1, change: [0, 50])

    func testWeightRisesFromStillToMoving() {
        let smoothing = MotionAwareSmoothing(stillWeight: 0.25, stillChange: 1, movingChange: 4)
        XCTAssertEqual(smoothing.weight(forChange: 0), 0.25)
        XCTAssertEqual(smoothing.weight(forChange: 1), 0.25)
        XCTAssertEqual(smoothing.weight(forChange: 2.5), 0.625, accuracy: 1e-6)
        XCTAssertEqual(smoothing.weight(forChange: 4), 1)
        XCTAssertEqual(smoothing.weight(forChange: 90), 1)
        XCTAssertEqual(MaskOptions(motionAwareSmoothing: MotionAwareSmoothing(stillWeight: 0)).validationError()?.description,
                       "smoothing still weight must be greater than 0 and at most 1, got 0.0")
    }

    func testStillPictureIsSmoothedLikeThePlainAverage() {
        var aware = MaskShaper(options: MaskOptions(soft: true, motionAwareSmoothing: MotionAwareSmoothing(stillWeight: 0.25)))
        var plain = MaskShaper(options: MaskOptions(soft: true, smoothing: 0.25))
        for (index, logit) in [Float(-4), 4, 4, -3, 2].enumerated() {
            XCTAssertEqual(shape(&aware, logit, change: index == 0 ? nil : still), shape(&plain, logit, change: nil),
                           "frame \(index)")
        }
        var once = MaskShaper(options: MaskOptions(motionAwareSmoothing: MotionAwareSmoothing(stillWeight: 0.25)))
        _ = shape(&once, -4, change: nil)
        XCTAssertEqual(shape(&once, 4, change: nil)[0], 0.25 * sigmoid(4) + 0.75 * sigmoid(-4), accuracy: 1e-6,
                       "without a change map every pixel is still")
    }

    func testWherePictureMovedMaskFollowsAtOnce() {
        var shaper = MaskShaper(options: MaskOptions(motionAwareSmoothing: MotionAwareSmoothing(stillWeight: 0.25)))
        _ = shape(&shaper, -4, change: nil)
        let next = shape(&shaper, 4, change: rightMoved)
        let smoothed = 0.25 * sigmoid(4) + 0.75 * sigmoid(-4)
        for row in 0..<2 {
            XCTAssertEqual(next[row * 8], smoothed, accuracy: 1e-6, "left edge: still block")
            XCTAssertEqual(next[row * 8 + 1], smoothed, accuracy: 1e-6)
            XCTAssertEqual(next[row * 8 + 6], sigmoid(4), accuracy: 1e-6, "right edge: moved block, newest frame")
            XCTAssertEqual(next[row * 8 + 7], sigmoid(4), accuracy: 1e-6)
            XCTAssertGreaterThan(next[row * 8 + 4], next[row * 8 + 3], "the weight ramps between the blocks")
        }
        var binary = MaskShaper(options: MaskOptions(motionAwareSmoothing: MotionAwareSmoothing(stillWeight: 0.25)))
        _ = shape(&binary, -4, change: nil)
        let masks = binary.shape(logits: [Float](repeating: 4, count: 16), logitsWidth: 8, logitsHeight: 2,
                                 positiveCount: 1, frameWidth: 8, frameHeight: 2, pictureChange: rightMoved).masks
        XCTAssertEqual(Array(masks[0..<8]), [0, 0, 0, 255, 255, 255, 255, 255],
                       "the moved side's mask appears at once, the still side's waits for more frames")
    }

    func testPromptChangeAndSizeChangeRestartTheAverage() {
        var shaper = MaskShaper(options: MaskOptions(motionAwareSmoothing: MotionAwareSmoothing()))
        _ = shape(&shaper, -4, change: nil)
        XCTAssertNotEqual(shape(&shaper, 4, change: still)[0], sigmoid(4))
        XCTAssertEqual(shape(&shaper, -4, revision: 1, change: still)[0], sigmoid(-4), "a prompt change restarts it")
        XCTAssertEqual(shape(&shaper, 4, width: 4, revision: 1, change: still)[0], sigmoid(4),
                       "a size change restarts it")
        XCTAssertNotEqual(shape(&shaper, -4, width: 4, revision: 1, change: still)[0], sigmoid(-4))
        shaper.resetSmoothing()
        XCTAssertEqual(shape(&shaper, -4, width: 4, revision: 1, change: still)[0], sigmoid(-4))
    }

    func testPictureChangeMarksMovedBlocksAndTheirNeighbours() throws {
        // 16×16 thumbnails, blocks of 4: a 2×2 patch in block (0, 0) brightened by 100 → mean 25 over the block.
        let before = [UInt8](repeating: 100, count: 256)
        var after = before
        for (x, y) in [(1, 1), (2, 1), (1, 2), (2, 2)] { after[y * 16 + x] = 200 }
        let change = try XCTUnwrap(PictureChange(from: LumaThumbnail(width: 16, height: 16, luma: before),
                                                 to: LumaThumbnail(width: 16, height: 16, luma: after)))
        XCTAssertEqual(change.width, 4)
        XCTAssertEqual(change.height, 4)
        for (index, value) in change.change.enumerated() {
            let x = index % 4, y = index / 4
            XCTAssertEqual(value, x <= 1 && y <= 1 ? 25 : 0, "block (\(x), \(y))")
        }
        XCTAssertNil(PictureChange(from: LumaThumbnail(width: 16, height: 16, luma: before),
                                   to: LumaThumbnail(width: 8, height: 32, luma: before)))
    }

    func testNoiseFloorIsTheMedianUpToItsLimit() throws {
        let before = [UInt8](repeating: 100, count: 256)
        let noisy = before.enumerated().map { UInt8($0.offset % 2 == 0 ? 103 : 97) }  // ±3 everywhere
        let noise = try XCTUnwrap(PictureChange(from: LumaThumbnail(width: 16, height: 16, luma: before),
                                                to: LumaThumbnail(width: 16, height: 16, luma: noisy)))
        XCTAssertEqual(noise.change, [Float](repeating: 0, count: 16), "uniform noise is the floor")
        let pan = try XCTUnwrap(PictureChange(from: LumaThumbnail(width: 16, height: 16, luma: before),
                                              to: LumaThumbnail(width: 16, height: 16,
                                                                luma: [UInt8](repeating: 150, count: 256))))
        XCTAssertEqual(pan.change, [Float](repeating: 50 - PictureChange.noiseFloorLimit, count: 16),
                       "a change of the whole picture is motion, not noise")
    }

    func testTrackerComparesEachFrameWithThePreviousOne() throws {
        var tracker = PictureChangeTracker()
        let grey = RGBFrame(width: 64, height: 32, pixels: [UInt8](repeating: 90, count: 64 * 32 * 3))
        XCTAssertNil(tracker.change(to: grey), "the first frame has nothing to compare with")
        var brighter = grey
        for y in 0..<8 { for x in 0..<64 * 3 { brighter.pixels[y * 64 * 3 + x] = 190 } }
        let change = try XCTUnwrap(tracker.change(to: brighter))
        XCTAssertGreaterThan(change.change[0], 50, "top rows changed")
        XCTAssertEqual(change.change.last, 0, "bottom rows did not")
        XCTAssertEqual(try XCTUnwrap(tracker.change(to: brighter)).change.max(), 0)
        XCTAssertNil(tracker.change(to: RGBFrame(width: 32, height: 32)), "a size change starts over")
    }
}
