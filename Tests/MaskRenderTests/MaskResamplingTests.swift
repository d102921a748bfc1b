import Foundation
import VideoFrames
import XCTest
import TestSupport
@testable import MaskRender

/// Bilinear upscaling against torch (`Tools/make_pipeline_fixtures.py` → Tests/Fixtures/pipeline/bilinear.json)
/// and the box blur against a direct per-pixel average.
final class MaskResamplingTests: XCTestCase {
    struct Case: Decodable {
        var name: String
        var planes: Int
        var source_height: Int, source_width: Int, target_height: Int, target_width: Int
        var logits: [Float], resized: [Float], probabilities: [Float]
    }

    struct Document: Decodable { var cases: [Case] }

    /// The fixture's three cases (a shorter list fails the test that loops over it).
    static func fixtureCases(file: StaticString = #filePath, line: UInt = #line) throws -> [Case] {
        let url = TestPaths.fixtures.appendingPathComponent("pipeline/bilinear.json")
        let cases = try JSONDecoder().decode(Document.self, from: Data(contentsOf: url)).cases
        XCTAssertEqual(cases.count, 3, "cases in pipeline/bilinear.json", file: file, line: line)
        return cases
    }

    func testResamplerMatchesTorchInterpolate() throws {
        for item in try Self.fixtureCases() {
            var resampler = BilinearResampler(sourceWidth: item.source_width, sourceHeight: item.source_height,
                                              targetWidth: item.target_width, targetHeight: item.target_height)
            let sourcePlane = item.source_width * item.source_height
            let targetPlane = item.target_width * item.target_height
            var output = [Float](repeating: .nan, count: item.planes * targetPlane)
            item.logits.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    for p in 0..<item.planes {
                        resampler.resample(UnsafeBufferPointer(rebasing: source[(p * sourcePlane)..<((p + 1) * sourcePlane)]),
                                           into: UnsafeMutableBufferPointer(rebasing: target[(p * targetPlane)..<((p + 1) * targetPlane)]))
                    }
                }
            }
            let worst = largestAbsoluteDifference(output, item.resized)
            XCTAssertLessThan(worst, 1e-5, "\(item.name): max |swift - torch| = \(worst)")
        }
    }

    func testShaperProbabilitiesMatchTorchSigmoidOfUpscaledLogits() throws {
        for item in try Self.fixtureCases() {
            var shaper = MaskShaper(options: MaskOptions(threshold: 0.4))
            let shaped = shaper.shape(logits: item.logits, logitsWidth: item.source_width, logitsHeight: item.source_height,
                                      positiveCount: item.planes, frameWidth: item.target_width, frameHeight: item.target_height)
            XCTAssertEqual(shaped.probabilities.count, item.probabilities.count)
            let worst = largestAbsoluteDifference(shaped.probabilities, item.probabilities)
            XCTAssertLessThan(worst, 1e-6, "\(item.name): max |p_swift - p_torch| = \(worst)")
            for (i, reference) in item.probabilities.enumerated() where abs(reference - 0.4) > 1e-5 {
                XCTAssertEqual(shaped.masks[i], reference >= 0.4 ? 255 : 0, "\(item.name) pixel \(i)")
            }
        }
    }

    /// The average over the clamped `(2r+1)²` square around each pixel, rounded, written the slow obvious way.
    private func referenceBlur(_ pixels: [UInt8], width: Int, height: Int, channels: Int, radius: Int) -> [UInt8] {
        var output = pixels
        let area = (2 * radius + 1) * (2 * radius + 1)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var sum = 0
                    for dy in -radius...radius {
                        for dx in -radius...radius {
                            let xx = min(max(x + dx, 0), width - 1), yy = min(max(y + dy, 0), height - 1)
                            sum += Int(pixels[(yy * width + xx) * channels + c])
                        }
                    }
                    output[(y * width + x) * channels + c] = UInt8((sum + area / 2) / area)
                }
            }
        }
        return output
    }

    func testBoxBlurEqualsDirectAverage() {
        var generator = SplitMix64(seed: 7)
        let shapes = [(13, 7, 1, 1), (13, 7, 3, 2), (5, 9, 3, 6), (31, 17, 1, 40), (40, 3, 3, 3), (1, 6, 1, 2), (9, 1, 3, 1)]
        for (width, height, channels, radius) in shapes {
            let image = (0..<(width * height * channels)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var blurred = image
            var blur = BoxBlur()
            blurred.withUnsafeMutableBufferPointer {
                blur.blur($0, width: width, height: height, channels: channels, radius: radius)
            }
            XCTAssertEqual(blurred, referenceBlur(image, width: width, height: height, channels: channels, radius: radius),
                           "\(width)x\(height)x\(channels) r=\(radius)")
        }
    }

    func testBoxBlurKeepsFlatImagesAndZeroRadius() {
        var flat = [UInt8](repeating: 77, count: 20 * 10 * 3)
        var blur = BoxBlur()
        flat.withUnsafeMutableBufferPointer { blur.blur($0, width: 20, height: 10, channels: 3, radius: 4, passes: 3) }
        XCTAssertEqual(flat, [UInt8](repeating: 77, count: 20 * 10 * 3))
        var image: [UInt8] = [0, 255, 0, 255]
        image.withUnsafeMutableBufferPointer { blur.blur($0, width: 4, height: 1, channels: 1, radius: 0) }
        XCTAssertEqual(image, [0, 255, 0, 255])
    }

    /// Backgrounds and frames of another size are stretched by the masks' resampler, channel by channel:
    /// bytes equal to bilinear interpolation written out per pixel (half-pixel centres, edges clamped).
    func testStretchedPicturesMatchPerPixelBilinearInterpolation() {
        var generator = SplitMix64(seed: 11)
        for (sourceWidth, sourceHeight, width, height) in [(2, 1, 4, 2), (7, 5, 13, 11), (13, 11, 7, 5), (1, 1, 3, 2), (9, 4, 9, 7)] {
            let pixels = (0..<(sourceWidth * sourceHeight * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let picture = RGBFrame(width: sourceWidth, height: sourceHeight, pixels: pixels)
            XCTAssertEqual(Background.stretch(picture, width: width, height: height),
                           referenceStretch(picture, width: width, height: height),
                           "\(sourceWidth)x\(sourceHeight) → \(width)x\(height)")
        }
    }

    private func referenceStretch(_ image: RGBFrame, width: Int, height: Int) -> [UInt8] {
        func taps(_ source: Int, _ target: Int) -> [(Int, Int, Float)] {
            let scale = Float(source) / Float(target)
            return (0..<target).map { index in
                let position = max(0, scale * (Float(index) + 0.5) - 0.5)
                let lower = min(Int(position), source - 1)
                return (lower, min(lower + 1, source - 1), position - Float(lower))
            }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for (y, (y0, y1, wy)) in taps(image.height, height).enumerated() {
            for (x, (x0, x1, wx)) in taps(image.width, width).enumerated() {
                for c in 0..<3 {
                    func at(_ row: Int, _ column: Int) -> Float { Float(image.pixels[(row * image.width + column) * 3 + c]) }
                    let top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
                    let bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
                    out[(y * width + x) * 3 + c] = UInt8((top * (1 - wy) + bottom * wy).rounded(.toNearestOrEven))
                }
            }
        }
        return out
    }
}
