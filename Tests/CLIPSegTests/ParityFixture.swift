import Foundation
import VideoFrames
import XCTest
import SafeTensors
import TensorKit
import MediaIO
import TestSupport
@testable import CLIPSeg

/// One reference case written by `Tools/make_fixtures.py` (see Tests/Fixtures/README.md): a Hugging
/// Face model folder plus `reference.safetensors` / `reference.json` computed by transformers.
struct ParityFixture {
    let name: String
    let folder: URL
    let model: CLIPSegModel
    let reference: SafeTensorsFile
    let json: [String: Any]
    /// `images`, `input_ids`, `pooled_positions` and `grid` of reference.json, each required and non-empty,
    /// so a loop over them can never run zero times on a fixture that lost a key.
    let imageNames: [String]
    let unpaddedIDs: [[Int32]]
    let pooledPositions: [Int]
    let grid: Int

    static let caseNames = ["p16-refined-bf16-clipvocab", "p8-plain-f32", "p8-refined-f16-firsteos"]

    static func committed(_ name: String) throws -> ParityFixture {
        try ParityFixture(name: name, folder: TestPaths.fixtures.appendingPathComponent("clipseg/\(name)"))
    }

    init(name: String, folder: URL) throws {
        self.name = name
        self.folder = folder
        model = try CLIPSegModel(directory: folder)
        reference = try SafeTensorsFile(url: folder.appendingPathComponent("reference.safetensors"))
        let data = try Data(contentsOf: folder.appendingPathComponent("reference.json"))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIPSegError.invalidInput("\(name): reference.json is not an object")
        }
        self.json = json
        func required<T>(_ key: String, as type: T.Type) throws -> T {
            guard let value = json[key] as? T else { throw CLIPSegError.invalidInput("\(name): reference.json lacks '\(key)'") }
            if let list = value as? [Any], list.isEmpty { throw CLIPSegError.invalidInput("\(name): reference.json '\(key)' is empty") }
            return value
        }
        imageNames = try required("images", as: [String].self)
        unpaddedIDs = try required("input_ids", as: [[Int]].self).map { $0.map(Int32.init) }
        pooledPositions = try required("pooled_positions", as: [Int].self)
        grid = try required("grid", as: Int.self)
        _ = try required("fp32_vs_fp64_max_abs_diff", as: Double.self)
        _ = try required("fp32_vs_fp64_max_abs_diff_per_tensor", as: [String: Double].self)
    }

    /// A reference tensor with its leading batch dimension of 1 dropped when `dropBatch`.
    func tensor(_ key: String, dropBatch: Bool = false) throws -> Tensor {
        guard let info = reference.info(key) else { throw CLIPSegError.invalidInput("\(name): no reference '\(key)'") }
        let shape = dropBatch && info.shape.first == 1 ? Array(info.shape.dropFirst()) : info.shape
        return Tensor(shape: shape, data: try reference.floats(key))
    }

    /// `50 ×` the fp32-vs-fp64 discrepancy transformers itself shows on `key` (README's rule), with a
    /// floor of 1e-6 for tensors whose recorded figure is tiny.
    func tolerance(_ key: String) -> Float {
        let perTensor = json["fp32_vs_fp64_max_abs_diff_per_tensor"] as? [String: Double] ?? [:]
        let figure = perTensor[key] ?? (json["fp32_vs_fp64_max_abs_diff"] as? Double ?? 0)
        return Float(max(50 * figure, 1e-6))
    }

    /// 50 × the case-wide logits figure.
    var logitsTolerance: Float { Float(50 * (json["fp32_vs_fp64_max_abs_diff"] as? Double ?? 0)) }

    /// The case-wide fp32-vs-fp64 discrepancy itself: how far float32 rounding alone moves this model's
    /// logits in transformers.
    var float32RoundingNoise: Float { Float(json["fp32_vs_fp64_max_abs_diff"] as? Double ?? 0) }

    var prompts: [String]? { json["prompts"] as? [String] }

    /// The RGB24 bytes of a PNG in the case folder.
    func image(_ file: String) throws -> RGBFrame { try StillImage.load(url: folder.appendingPathComponent(file)) }

    /// Asserts `actual` matches reference `key` within `tolerance` (default: `tolerance(key)`) and
    /// returns the max abs difference (printed when `CLIPSEG_PARITY_REPORT` is set).
    @discardableResult
    func assertClose(_ actual: Tensor, _ key: String, dropBatch: Bool = false, tolerance: Float? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> Float {
        let expected = try tensor(key, dropBatch: dropBatch)
        let limit = tolerance ?? self.tolerance(key)
        let difference = actual.maxAbsoluteDifference(expected)
        XCTAssertEqual(actual.shape, expected.shape, "\(name) \(key) shape", file: file, line: line)
        XCTAssertLessThanOrEqual(difference, limit, "\(name) \(key): max |Δ| \(difference) > \(limit)", file: file, line: line)
        if ProcessInfo.processInfo.environment["CLIPSEG_PARITY_REPORT"] != nil {
            print("parity \(name) \(key): max |Δ| \(difference) (tolerance \(limit))")
        }
        return difference
    }
}

extension Tensor {
    /// `[prompts, h, w, c]` channels-last → `[prompts, c, h, w]`.
    func channelsFirst() -> Tensor {
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        var out = Tensor(shape: [n, c, h, w])
        for b in 0..<n { for y in 0..<h { for x in 0..<w { for k in 0..<c {
            out.data[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k]
        } } } }
        return out
    }

    /// Rows `range` of the leading dimension.
    func rows(_ range: Range<Int>) -> Tensor {
        let inner = count / Swift.max(shape[0], 1)
        return Tensor(shape: [range.count] + shape.dropFirst(), data: Array(data[(range.lowerBound * inner)..<(range.upperBound * inner)]))
    }
}
