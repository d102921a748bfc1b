import Foundation
import XCTest
import TensorKit
import TestSupport

/// `Tests/Fixtures/clipseg-full-size/summary.json`, written by `Tools/make_fixtures.py --full-size-summary`
/// (Tools/full_size_summary.py): what transformers computed on the seeded full-size weights.
struct FullSizeSummary: Decodable {
    struct GeneratorCheck: Decodable {
        var first: [Float]
        var sum: Double
    }

    struct Statistics: Decodable, Equatable {
        var mean, std, min, max: Double
    }

    /// One reference tensor: its shape, statistics over all of it, the values at fixed flat indices, and how
    /// far float32 rounding alone moves it in transformers (max |fp32 − fp64| over the whole tensor).
    struct Reference: Decodable {
        var shape: [Int]
        var statistics: Statistics
        var fp32VsFP64: Double
        var indices: [Int]
        var values: [Float]

        enum CodingKeys: String, CodingKey {
            case shape, statistics, indices, values
            case fp32VsFP64 = "fp32_vs_fp64_max_abs_diff"
        }
    }

    var seed: UInt64
    var prompts: [String]
    var inputIDs: [[Int32]]
    var tokenizer: String
    var image: String
    var generatorCheck: [String: GeneratorCheck]
    var tensors: [String: Reference]

    enum CodingKeys: String, CodingKey {
        case seed, prompts, tokenizer, image, tensors
        case inputIDs = "input_ids"
        case generatorCheck = "generator_check"
    }

    static let folder = TestPaths.fixtures.appendingPathComponent("clipseg-full-size")

    static func load() throws -> FullSizeSummary {
        try JSONDecoder().decode(FullSizeSummary.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json")))
    }

    /// Population statistics of `values`, in Double.
    static func statistics(_ values: [Float]) -> Statistics {
        let count = Double(Swift.max(values.count, 1))
        let mean = values.reduce(0.0) { $0 + Double($1) } / count
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        return Statistics(mean: mean, std: variance.squareRoot(), min: Double(values.min() ?? .nan),
                          max: Double(values.max() ?? .nan))
    }

    /// Asserts `actual` has the reference's shape, its values at the recorded indices and its statistics
    /// within `tolerance` (default: 50 × the fp32-vs-fp64 figure, at least 1e-6, as for the other fixtures).
    /// Mean, standard deviation, minimum and maximum each move by at most max |Δ|, so one bound serves all
    /// (plus 1e-12 relative for the order in which the two sides summed in Double).
    /// Returns the largest difference at the recorded indices.
    @discardableResult
    func assertClose(_ actual: Tensor, _ key: String, tolerance: Double? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> Float {
        let reference = try XCTUnwrap(tensors[key], "summary.json has no '\(key)'", file: file, line: line)
        let limit = tolerance ?? Swift.max(50 * reference.fp32VsFP64, 1e-6)
        XCTAssertEqual(actual.shape, reference.shape, "\(key) shape", file: file, line: line)
        XCTAssertEqual(reference.indices.count, reference.values.count, key, file: file, line: line)
        XCTAssertGreaterThan(reference.indices.count, 0, "\(key): no recorded values", file: file, line: line)
        XCTAssertFalse(actual.data.contains(where: \.isNaN), "\(key) holds NaN", file: file, line: line)
        guard actual.shape == reference.shape else { return .infinity }
        let sampled = reference.indices.map { actual.data[$0] }
        let difference = largestAbsoluteDifference(sampled, reference.values)
        XCTAssertLessThanOrEqual(Double(difference), limit, "\(key): max |Δ| at the recorded indices", file: file, line: line)
        let mine = Self.statistics(actual.data), theirs = reference.statistics
        for (name, a, b) in [("mean", mine.mean, theirs.mean), ("std", mine.std, theirs.std),
                             ("min", mine.min, theirs.min), ("max", mine.max, theirs.max)] {
            XCTAssertEqual(a, b, accuracy: limit + 1e-12 * Swift.max(1, abs(b)), "\(key) \(name)", file: file, line: line)
        }
        if ProcessInfo.processInfo.environment["CLIPSEG_PARITY_REPORT"] != nil {
            print("full-size \(key): max |Δ| \(difference) at \(sampled.count) points (tolerance \(limit))")
        }
        return difference
    }
}
