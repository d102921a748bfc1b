import CLIPSeg
import Foundation

/// A run's memory, checked before it loads anything big: the model's estimate (`PeakMemoryEstimate`, from
/// the model folder's `config.json` and the size of its `model.safetensors`) against what this process may
/// use (`MemoryLimit`, read once when the budget is made). A run that does not fit is refused with one line
/// (`CommandFailure.runtime`, exit status 1) naming the value at fault and the largest `--size` that fits:
///
///     Error: --size 2048 needs about 95.5 GB of memory, more than the 24.6 GB this process may use
///     (MemAvailable); the largest --size that fits is 1448
///
/// When no size fits (the weights or the frames alone are too much), the line says so and what they take.
///
/// Sizes are in bytes; messages print decimal GB (MB below one GB).
struct MemoryBudget {
    let configuration: CLIPSegConfiguration
    /// How frames are resized when `--size` is not given.
    let preprocessing: PreprocessorConfiguration
    let weightFileBytes: Int
    let limit: MemoryLimit

    /// The budget for the model in `directory`; nil when its configuration files cannot be read, so that
    /// loading the model reports what is wrong as it always has.
    init?(modelDirectory directory: URL, limit: MemoryLimit = .current()) {
        let folder = ModelFolder(url: directory)
        guard let configuration = try? CLIPSegConfiguration(contentsOf: folder.configuration),
              (try? configuration.validate()) != nil,
              let preprocessing = try? PreprocessorConfiguration(contentsOf: folder.preprocessorConfiguration),
              let attributes = try? FileManager.default.attributesOfItem(atPath: folder.weights.path),
              let weightFileBytes = (attributes[.size] as? NSNumber)?.intValue else { return nil }
        self.configuration = configuration
        self.preprocessing = preprocessing
        self.weightFileBytes = weightFileBytes
        self.limit = limit
    }

    /// A run description for this model with the settings every command knows.
    func run(textPrompts: Int, imagePrompts: Int, negatives: Int = 0, precision: PrecisionChoice) -> PeakMemoryEstimate.Run {
        PeakMemoryEstimate.Run(prompts: textPrompts + imagePrompts + negatives, textPrompts: textPrompts + negatives,
                               imagePrompts: imagePrompts, precision: precision.format, weightFileBytes: weightFileBytes)
    }

    /// The model's input side without `--size`: the preprocessor's size for frames of the run's size (its
    /// longer side, in whole patches).
    func defaultSide(for run: PeakMemoryEstimate.Run) -> Int {
        let patch = configuration.vision.patchSize
        let resized = preprocessing.resizedSize(height: max(1, run.frameHeight), width: max(1, run.frameWidth))
        return max(patch, max(resized.height, resized.width) / patch * patch)
    }

    /// Throws `CommandFailure.runtime` when `run` at `--size size` (the model's own size when nil) needs more
    /// memory than the process may use. A size that is not a multiple of the patch is left to the model's own
    /// check. `frames` describes the frames for a message when they alone do not fit (`frames of 640×480`).
    func require(size: Int?, run: PeakMemoryEstimate.Run, frames: String? = nil) throws {
        let patch = configuration.vision.patchSize
        let side = size ?? defaultSide(for: run)
        guard side >= patch, side % patch == 0 else { return }
        let estimate = PeakMemoryEstimate(configuration: configuration, inputSide: side, run: run)
        guard !fits(estimate), let short = shortfall(of: estimate) else { return }
        let sizeText = size.map { "--size \($0)" } ?? "the model's input size \(side)"
        let over = "more than the \(Self.text(short.available)) this process may use (\(short.source))"
        if let fitting = PeakMemoryEstimate.largestInputSide(configuration: configuration, run: run, upTo: side - patch,
                                                             fits: fits) {
            throw CommandFailure.runtime("\(sizeText) needs about \(Self.text(short.needed)) of memory, \(over); "
                                         + "the largest --size that fits is \(fitting)")
        }
        let smallest = PeakMemoryEstimate(configuration: configuration, inputSide: patch, run: run)
        let needed = shortfall(of: smallest)?.needed ?? short.needed
        var parts = ["the weights take \(Self.text(max(smallest.weights, smallest.loading)))"]
        if let frames, smallest.other > 0 { parts.append("\(frames) in flight \(Self.text(smallest.other))") }
        throw CommandFailure.runtime("this run needs about \(Self.text(needed)) of memory even at the smallest --size "
                                     + "(\(patch)), \(over): \(parts.joined(separator: ", "))")
    }

    /// Whether both the resident memory and the address space `estimate` needs fit the limit.
    func fits(_ estimate: PeakMemoryEstimate) -> Bool {
        limit.admits(residentBytes: estimate.residentBytes, addressSpaceBytes: estimate.addressSpaceBytes)
    }

    /// What does not fit: the bytes needed and available under the limit that refuses, nil when all fit.
    /// Where both resident memory and address space fall short, the one short by the larger factor.
    func shortfall(of estimate: PeakMemoryEstimate) -> (needed: Int, available: Int, source: String)? {
        var found: [(needed: Int, available: Int, source: String)] = []
        if let resident = limit.resident, estimate.residentBytes > resident.bytes {
            found.append((estimate.residentBytes, resident.bytes, resident.source))
        }
        if let space = limit.addressSpace, estimate.addressSpaceBytes > space.bytes {
            found.append((estimate.addressSpaceBytes, space.bytes, space.source))
        }
        return found.max { Double($0.needed) / Double(max($0.available, 1)) < Double($1.needed) / Double(max($1.available, 1)) }
    }

    /// `71.3 GB`, `512 MB` (decimal units).
    static func text(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.1f GB", Double(bytes) / 1e9)
            : String(format: "%.0f MB", (Double(bytes) / 1e6).rounded(.up))
    }
}
