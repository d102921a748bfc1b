import Foundation
import XCTest
import CLIPTokenizer
import TestSupport
@testable import CLIPSeg

/// The real files of CIDAS/clipseg-rd64-refined (all but the weights), as the hub serves them:
/// Tests/Fixtures/cidas-clipseg-rd64-refined, copied byte for byte from the project's shared fixtures.
enum RealCIDASFiles {
    static var folder: URL { TestPaths.fixtures.appendingPathComponent("cidas-clipseg-rd64-refined") }
}

final class RealCIDASFilesTests: XCTestCase {
    /// The seeded full-size checkpoint (FullSizeSeededTests) has exactly the real checkpoint's tensors: the same
    /// 464 names, dtypes (two I64 position_ids) and shapes, in the same order.
    func testSeededCheckpointHasTheRealTensorList() throws {
        func rows(_ url: URL) throws -> [String] {
            try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasPrefix("#") }
                .map { $0.split(separator: "\t").prefix(3).joined(separator: "\t") }
        }
        let real = try rows(RealCIDASFiles.folder.appendingPathComponent("tensors.tsv"))
        let seeded = try rows(FullSizeSummary.folder.appendingPathComponent("tensors.tsv"))
        XCTAssertEqual(real.count, 464)
        XCTAssertEqual(seeded, real)
        XCTAssertEqual(real.filter { $0.contains("\tI64\t") }, ["clip.text_model.embeddings.position_ids\tI64\t[1, 77]",
                                                               "clip.vision_model.embeddings.position_ids\tI64\t[1, 197]"])
    }

    /// The seeded fixture's JSON files are the real ones (FullSizeSeededTests' transformers run used them).
    func testSeededFixtureUsesTheRealConfigurationFiles() throws {
        for file in ["config.json", "preprocessor_config.json"] {
            XCTAssertEqual(try Data(contentsOf: FullSizeSummary.folder.appendingPathComponent(file)),
                           try Data(contentsOf: RealCIDASFiles.folder.appendingPathComponent(file)), file)
        }
    }

    /// The real configuration reads as the rd64-refined architecture; the real tokenizer_config.json (old
    /// AddedToken objects, a special_tokens_map_file path on another machine) is read without opening that path.
    func testRealFilesReadAsTheRd64RefinedModel() throws {
        let configuration = try CLIPSegConfiguration(contentsOf: RealCIDASFiles.folder.appendingPathComponent("config.json"))
        XCTAssertEqual(configuration.extractLayers, [3, 6, 9])
        XCTAssertEqual(configuration.reduceDim, 64)
        XCTAssertTrue(configuration.useComplexTransposedConvolution)
        let folder = try TemporaryDirectory(prefix: "clipseg-real-files")
        defer { folder.remove() }
        for file in ["tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: RealCIDASFiles.folder.appendingPathComponent(file), to: folder.path(file))
        }
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: TestPaths.samples.appendingPathComponent("models/shapes/\(file)"), to: folder.path(file))
        }
        let tokenizer = try CLIPTokenizer(directory: folder.url)
        XCTAssertEqual(tokenizer.encode("a cat"), [49406, 320, 2368, 49407])
        XCTAssertEqual(tokenizer.encode(String(repeating: "cat ", count: 100)).count, 77)
    }

    /// The model's checkpoint key table asks for exactly the real checkpoint's tensors (and ignores only the
    /// buffers and the temperature it carries besides).
    func testKeyTableIsTheRealTensorList() throws {
        let configuration = try CLIPSegConfiguration(contentsOf: RealCIDASFiles.folder.appendingPathComponent("config.json"))
        let expected = CheckpointKeys.slots(for: configuration).map { "\($0.key)\t\($0.shape)" }
        let real = try String(contentsOf: RealCIDASFiles.folder.appendingPathComponent("tensors.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t").map(String.init) }
        let needed = real.filter { !CheckpointKeys.ignoredKeys.contains($0[0]) }.map { "\($0[0])\t\($0[2])" }
        XCTAssertEqual(Set(expected), Set(needed))
        XCTAssertEqual(expected.count, 461)
        XCTAssertEqual(Set(real.map { $0[0] }).subtracting(needed.map { String($0.split(separator: "\t")[0]) }),
                       CheckpointKeys.ignoredKeys)
    }

    /// CIDAS/clipseg-rd64 and clipseg-rd16 (rebuilt configurations, no hash to check them by): one plain
    /// transposed convolution [reduce_dim, 1, 16, 16] ends the decoder.
    func testRd64AndRd16ConfigurationsNeedOnePlainTransposedConvolution() throws {
        for (file, reduceDim) in [("rd64-config.json", 64), ("rd16-config.json", 16)] {
            let configuration = try CLIPSegConfiguration(
                contentsOf: RealCIDASFiles.folder.appendingPathComponent("other-configs/\(file)"))
            XCTAssertEqual(configuration.reduceDim, reduceDim, file)
            XCTAssertFalse(configuration.useComplexTransposedConvolution, file)
            let decoderEnd = CheckpointKeys.slots(for: configuration).filter { $0.key.hasPrefix("decoder.transposed_convolution") }
            XCTAssertEqual(decoderEnd.map(\.key), ["decoder.transposed_convolution.weight", "decoder.transposed_convolution.bias"], file)
            XCTAssertEqual(decoderEnd.map(\.shape), [[reduceDim, 1, 16, 16], [1]], file)
        }
    }
}
