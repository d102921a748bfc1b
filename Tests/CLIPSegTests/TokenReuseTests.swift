import XCTest
import TensorKit
import ReducedPrecision
import TestSupport
@testable import CLIPSeg

/// Token reuse (`TokenReuse`, `CLIPSegModel.visionFeatures(_:reuse:)`) against full passes of the same
/// frames, on the fixture checkpoints and the trained sample model: the gate's exactness properties, what
/// refreshes, scene cuts and the cap do, and how far reused features stray.
final class TokenReuseTests: XCTestCase {
    /// A `side × side` RGB scene: a fixed texture, a `box`-pixel square at `(x, y)`, sensor noise of
    /// ±`noise` levels drawn from `seed`.
    static func scene(side: Int, x: Int, y: Int, box: Int, noise: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for row in 0..<side {
            for column in 0..<side {
                let inBox = column >= x && column < x + box && row >= y && row < y + box
                let base: [Int] = inBox ? [220, 40, 30]
                    : [(column * 7 + row * 3) % 160 + 40, (row * 5) % 120 + 60, ((column ^ row) * 3) % 200 + 20]
                for channel in 0..<3 {
                    let jitter = noise == 0 ? 0 : Int(random.next() % UInt64(2 * noise + 1)) - noise
                    pixels[(row * side + column) * 3 + channel] = UInt8(clamping: base[channel] + jitter)
                }
            }
        }
        return pixels
    }

    private func pixels(_ model: CLIPSegModel, x: Int, y: Int, noise: Int = 0, seed: UInt64 = 1, side: Int = 64) throws -> Tensor {
        try model.pixelValues(rgb: Self.scene(side: side, x: x, y: y, box: side / 4, noise: noise, seed: seed),
                              width: side, height: side)
    }

    private func fixture(_ name: String = "p8-plain-f32") throws -> CLIPSegModel {
        try CLIPSegModel(directory: TestPaths.fixtures.appendingPathComponent("clipseg/\(name)"))
    }

    func testThresholdZeroEqualsFullPassesBitForBit() throws {
        for name in ParityFixture.caseNames {
            let model = try fixture(name)
            let reuse = try TokenReuse(settings: TokenReuseSettings(threshold: 0, refreshInterval: 0,
                                                                    sceneCutFraction: 1, maximumFraction: 1))
            for (step, position) in [(0, 4), (1, 6), (2, 6), (3, 30)].enumerated() {
                let frame = try pixels(model, x: position.1, y: position.0 * 3, noise: 3, seed: UInt64(step))
                let (features, report) = try model.visionFeatures(frame, reuse: reuse)
                XCTAssertEqual(features, try model.visionFeatures(frame), "\(name) frame \(step)")
                XCTAssertEqual(report.kind, step == 0 ? .first : .thresholdZero)
                XCTAssertEqual(report.tokensRecomputed, 1)
            }
        }
    }

    func testAnIdenticalFrameReturnsTheSameFeaturesWithNoLayerRun() throws {
        let model = try fixture()
        let reuse = try TokenReuse()
        let frame = try pixels(model, x: 10, y: 10, noise: 4)
        let first = try model.visionFeatures(frame, reuse: reuse)
        XCTAssertEqual(first.report, TokenReuseReport(kind: .first, tokensRecomputed: 1))
        XCTAssertEqual(first.features, try model.visionFeatures(frame))
        let again = try model.visionFeatures(frame, reuse: reuse)
        XCTAssertEqual(again.report, TokenReuseReport(kind: .identical, tokensRecomputed: 0))
        XCTAssertEqual(again.features, first.features)
    }

    func testASmallMoveRecomputesFewTokensAndStaysCloseToAFullPass() throws {
        let model = try fixture()
        let reuse = try TokenReuse(settings: TokenReuseSettings(threshold: 0.02, refreshInterval: 0,
                                                                sceneCutFraction: 1, maximumFraction: 1))
        _ = try model.visionFeatures(try pixels(model, x: 10, y: 10), reuse: reuse)
        let moved = try pixels(model, x: 12, y: 10)
        let (features, report) = try model.visionFeatures(moved, reuse: reuse)
        XCTAssertEqual(report.kind, .partial)
        XCTAssertGreaterThan(report.tokensRecomputed, 0)
        XCTAssertLessThan(report.tokensRecomputed, 1)
        let full = try model.visionFeatures(moved)
        for (reused, exact) in zip(features.activations, full.activations) {
            let difference = reused.maxAbsoluteDifference(exact), scale = exact.data.map(abs).max()!
            XCTAssertLessThan(difference, 0.1 * scale, "reused activations stray too far from a full pass")
        }
    }

    func testASceneCutGetsAFullPass() throws {
        let model = try fixture()
        let reuse = try TokenReuse()
        _ = try model.visionFeatures(try pixels(model, x: 10, y: 10), reuse: reuse)
        let other = try model.pixelValues(rgb: Self.scene(side: 64, x: 0, y: 0, box: 64, noise: 0, seed: 2).map { 255 - $0 },
                                          width: 64, height: 64)
        let (features, report) = try model.visionFeatures(other, reuse: reuse)
        XCTAssertEqual(report, TokenReuseReport(kind: .sceneCut, tokensRecomputed: 1))
        XCTAssertEqual(features, try model.visionFeatures(other))
    }

    func testRefreshEveryNFramesAndAfterAGridChange() throws {
        let model = try fixture()
        let reuse = try TokenReuse(settings: TokenReuseSettings(threshold: 0.02, refreshInterval: 3,
                                                                sceneCutFraction: 1, maximumFraction: 1))
        var kinds: [TokenReuseReport.Kind] = []
        for step in 0..<7 {
            kinds.append(try model.visionFeatures(try pixels(model, x: 10 + step, y: 10), reuse: reuse).report.kind)
        }
        XCTAssertEqual(kinds, [.first, .partial, .partial, .refresh, .partial, .partial, .refresh])
        // Another input size: another token grid, so nothing cached fits.
        var configuration = model.preprocessor.configuration
        configuration.size = .exact(height: 48, width: 48)
        let bigger = try ImagePreprocessor(configuration: configuration)
            .pixelValues(rgb: Self.scene(side: 64, x: 10, y: 10, box: 16, noise: 0, seed: 1), width: 64, height: 64)
        let (features, report) = try model.visionFeatures(bigger, reuse: reuse)
        XCTAssertEqual(report.kind, .first)
        XCTAssertEqual(features.gridWidth, 6)
    }

    func testTheCapBoundsTheRowsOfEveryLayer() throws {
        let model = try fixture()
        let cap: Float = 0.25
        let reuse = try TokenReuse(settings: TokenReuseSettings(threshold: 0.001, refreshInterval: 0,
                                                                sceneCutFraction: 1, maximumFraction: cap))
        _ = try model.visionFeatures(try pixels(model, x: 0, y: 0), reuse: reuse)
        let (_, report) = try model.visionFeatures(try pixels(model, x: 30, y: 30, noise: 20), reuse: reuse)
        let tokens = 1 + 5 * 5
        let limit = Double(1 + Int(cap * Float(tokens - 1))) / Double(tokens)
        XCTAssertEqual(report.kind, .partial)
        XCTAssertEqual(report.tokensRecomputed, limit, accuracy: 1e-9, "noise everywhere: every layer at the cap")
    }

    /// bf16/int8 vision layers: reused rows through the reduced-precision linear layers (blocks padded to
    /// `reducedRowGranule`). Against full passes of the same reduced model, reuse may stray no further
    /// than it does in float32 plus what the precision alone moves the features (random O(1) weights
    /// amplify every change, so the float32 figure is the yardstick, not a fixed number).
    func testReducedPrecisionLayersReuseTokensToo() throws {
        let formats = ReducedPrecisionFormat.available
        guard !formats.isEmpty else { throw XCTSkip("this CPU runs neither bf16 nor int8 matrix products") }
        let folder = TestPaths.fixtures.appendingPathComponent("clipseg/p16-refined-bf16-clipvocab")
        let float32 = try CLIPSegModel(directory: folder)
        let frames = try (0..<4).map { try pixels(float32, x: 20 + 3 * $0, y: 30, side: 96) }
        /// Per frame: the largest difference, over the extracted layers, between reused and full features.
        func strays(_ model: CLIPSegModel) throws -> (reuse: [Float], partialFrames: Int) {
            let reuse = try TokenReuse(settings: TokenReuseSettings(threshold: 0.02, refreshInterval: 0,
                                                                    sceneCutFraction: 1, maximumFraction: 1))
            var worst: [Float] = [], partial = 0
            for frame in frames {
                let (features, report) = try model.visionFeatures(frame, reuse: reuse)
                if report.kind == .partial { partial += 1 }
                let full = try model.visionFeatures(frame)
                worst.append(zip(features.activations, full.activations).map { $0.maxAbsoluteDifference($1) }.max()!)
            }
            return (worst, partial)
        }
        let yardstick = try strays(float32)
        XCTAssertEqual(yardstick.partialFrames, 3)
        for format in formats {
            let model = try CLIPSegModel(directory: folder, visionPrecision: format)
            let reduced = try strays(model)
            XCTAssertEqual(reduced.partialFrames, 3, "\(format): every frame after the first reuses tokens")
            for (index, frame) in frames.enumerated() {
                let precisionGap = zip(try model.visionFeatures(frame).activations, try float32.visionFeatures(frame).activations)
                    .map { $0.maxAbsoluteDifference($1) }.max()!
                XCTAssertLessThanOrEqual(reduced.reuse[index], 1.5 * yardstick.reuse[index] + 2 * precisionGap,
                                         "\(format) frame \(index)")
            }
        }
    }

    func testSettingsOutOfRangeAreRefusedNamingTheValue() {
        XCTAssertThrowsError(try TokenReuse(settings: TokenReuseSettings(threshold: -1, refreshInterval: 0,
                                                                         sceneCutFraction: 0.5, maximumFraction: 0.5))) {
            XCTAssertEqual("\($0)", "token reuse threshold must be a number ≥ 0, got -1.0")
        }
        XCTAssertThrowsError(try TokenReuse(settings: TokenReuseSettings(threshold: 0.1, refreshInterval: 0,
                                                                         sceneCutFraction: 0.5, maximumFraction: 0))) {
            XCTAssertEqual("\($0)", "token reuse maximum fraction must be in (0, 1], got 0.0")
        }
    }
}
