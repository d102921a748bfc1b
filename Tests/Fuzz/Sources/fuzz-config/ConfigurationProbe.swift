import Foundation
import FuzzSupport
@testable import CLIPSeg
@testable import CLIPTokenizer

/// What the config target does with one input (see `ConfigurationInput`). The model side uses the
/// committed fixture `p8-refined-f16-firsteos` (small; refined head), so a config.json that matches
/// its checkpoint loads and runs.
///
/// - config.json: written into a model folder next to the fixture's preprocessor_config.json and
///   model.safetensors; `CLIPSegConfiguration(contentsOf:)` and `CLIPSegModel(directory:)` (which goes
///   through `ModelFolder`) must agree on acceptance, refusals are one line, and a model that loads
///   segments a 24×24 image with a 4-token prompt into logits `[1, O, O]`, `O = logitsSide(grid)`.
/// - preprocessor_config.json: `PreprocessorConfiguration(contentsOf:)`; an accepted one resizes a few
///   image shapes (`resizedSize`), preprocesses them when the result is at most 1024² pixels, and runs
///   the fixture model on them when at most 96² (larger sizes are legitimate but slow, not bugs).
/// - tokenizer_config.json: `model_max_length` read by the tokenizer folder is nil or in 2…2²⁰.
enum ConfigurationProbe {
    static let fixture = RepositoryPaths.clipsegFixture("p8-refined-f16-firsteos")
    static let promptIDs: [[Int32]] = [[89, 5, 6, 7]]
    static let imageSide = 24
    static let imageShapes = [(24, 24), (17, 40), (40, 17), (1, 1), (3, 1000)]

    /// A model folder for config.json inputs: the fixture's other files, linked.
    static let modelFolder: URL = {
        let folder = ScratchDirectory.shared.folder("model")
        for name in ["preprocessor_config.json", "model.safetensors"] {
            try? FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name),
                                                        withDestinationURL: fixture.appendingPathComponent(name))
        }
        return folder
    }()
    static let tokenizerFolder = ScratchDirectory.shared.folder("tokenizer")
    /// The fixture model, for preprocessor inputs.
    static let fixtureModel: CLIPSegModel = {
        do { return try CLIPSegModel(directory: fixture) } catch { FuzzCheck.fail("cannot load \(fixture.path): \(error)") }
    }()

    static func prepare() {
        _ = (modelFolder, tokenizerFolder, fixtureModel)
    }

    static func check(_ bytes: UnsafeRawBufferPointer) {
        guard let kind = ConfigurationInput(tag: bytes.first) else { return }
        let contents = UnsafeRawBufferPointer(rebasing: bytes[1...])
        switch kind {
        case .model: checkModelConfiguration(contents)
        case .preprocessor: checkPreprocessor(contents)
        case .tokenizer: checkTokenizerConfiguration(contents)
        }
    }

    private static func checkModelConfiguration(_ contents: UnsafeRawBufferPointer) {
        let url = ScratchDirectory.shared.write(contents, to: modelFolder.appendingPathComponent("config.json"))
        var configuration: CLIPSegConfiguration?
        do {
            configuration = try CLIPSegConfiguration(contentsOf: url)
            _ = (configuration?.storedGridSide, configuration?.deepestExtractLayer)
        } catch {
            FuzzCheck.requireOneLine(error)
        }
        let model: CLIPSegModel
        do {
            model = try CLIPSegModel(directory: modelFolder)
        } catch {
            FuzzCheck.requireOneLine(error)
            return
        }
        guard let configuration else { FuzzCheck.fail("the model loaded a config.json that does not parse") }
        FuzzCheck.require(model.configuration == configuration, "the model's configuration differs from the file's")
        let rgb = (0..<imageSide * imageSide * 3).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        do {
            let conditionals = try model.embed(tokenIDs: promptIDs)
            let logits = try model.segment(rgb: rgb, width: imageSide, height: imageSide, conditionals: conditionals)
            let grid = model.preprocessor.outputSize(width: imageSide, height: imageSide).height / configuration.vision.patchSize
            let side = configuration.logitsSide(grid: grid)
            FuzzCheck.require(logits.shape == [1, side, side], "logits \(logits.shape), expected [1, \(side), \(side)]")
        } catch {
            FuzzCheck.requireOneLine(error)
        }
    }

    private static func checkPreprocessor(_ contents: UnsafeRawBufferPointer) {
        let url = ScratchDirectory.shared.write(contents, to: "preprocessor_config.json")
        let configuration: PreprocessorConfiguration
        do {
            configuration = try PreprocessorConfiguration(contentsOf: url)
        } catch {
            FuzzCheck.requireOneLine(error)
            return
        }
        let preprocessor = ImagePreprocessor(configuration: configuration)
        for (width, height) in imageShapes {
            let size = preprocessor.outputSize(width: width, height: height)
            guard size.height > 0, size.width > 0, size.height <= 1 << 20 / size.width else { continue }
            let rgb = (0..<width * height * 3).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            do {
                let pixels = try preprocessor.pixelValues(rgb: rgb, width: width, height: height)
                FuzzCheck.require(pixels.shape == [3, size.height, size.width], "pixel values \(pixels.shape) for \(size)")
                guard size.height * size.width <= 96 * 96 else { continue }
                let model = fixtureModel
                let features = try model.visionFeatures(pixels)
                _ = try model.decode(features, conditionals: try model.embed(tokenIDs: promptIDs))
            } catch {
                FuzzCheck.requireOneLine(error)
            }
        }
    }

    private static func checkTokenizerConfiguration(_ contents: UnsafeRawBufferPointer) {
        ScratchDirectory.shared.write(contents, to: tokenizerFolder.appendingPathComponent("tokenizer_config.json"))
        do {
            if let length = try TokenizerFolder(tokenizerFolder).modelMaxLength() {
                FuzzCheck.require(length >= 2 && length <= TokenizerFolder.largestMeaningfulMaxLength,
                                  "model_max_length \(length) accepted")
            }
        } catch {
            FuzzCheck.requireOneLine(error)
        }
    }
}
