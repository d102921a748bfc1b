import Foundation

/// Image preprocessing settings from `preprocessor_config.json` (transformers' `ViTImageProcessor`
/// as CLIPSeg checkpoints use it): resize, rescale, normalise. Absent keys take the processor's
/// defaults (224×224, bilinear, 1/255, ImageNet-standard mean and std of 0.5).
public struct PreprocessorConfiguration: Codable, Sendable, Equatable {
    /// The target size of the resize.
    public enum Size: Sendable, Equatable {
        /// Exactly `height × width` (from `{"height", "width"}` or a bare integer `n` → `n × n`).
        case exact(height: Int, width: Int)
        /// Shorter side becomes `shortestEdge`, the longer side keeps the aspect ratio (truncated);
        /// with `longestEdge`, the longer side is capped first as transformers does.
        case shortestEdge(Int, longestEdge: Int?)
    }

    public var doResize = true
    public var size = Size.exact(height: 224, width: 224)
    /// PIL resampling filter number (`resample`): 1 Lanczos, 2 bilinear, 3 bicubic, 4 box, 5 Hamming.
    public var resample = 2
    public var doRescale = true
    public var rescaleFactor = 1.0 / 255.0
    public var doNormalize = true
    public var imageMean: [Double] = [0.5, 0.5, 0.5]
    public var imageStd: [Double] = [0.5, 0.5, 0.5]
    /// `do_center_crop` (not used by ViT processors; refused when true).
    public var doCenterCrop = false

    enum CodingKeys: String, CodingKey {
        case doResize = "do_resize", size, resample, doRescale = "do_rescale", rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize", imageMean = "image_mean", imageStd = "image_std"
        case doCenterCrop = "do_center_crop"
    }

    enum SizeKeys: String, CodingKey {
        case height, width, shortestEdge = "shortest_edge", longestEdge = "longest_edge"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PreprocessorConfiguration()
        doResize = try c.decodeIfPresent(Bool.self, forKey: .doResize) ?? d.doResize
        resample = try c.decodeIfPresent(Int.self, forKey: .resample) ?? d.resample
        doRescale = try c.decodeIfPresent(Bool.self, forKey: .doRescale) ?? d.doRescale
        rescaleFactor = try c.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? d.rescaleFactor
        doNormalize = try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? d.doNormalize
        imageMean = try Self.decodeChannels(c, .imageMean) ?? d.imageMean
        imageStd = try Self.decodeChannels(c, .imageStd) ?? d.imageStd
        doCenterCrop = try c.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? d.doCenterCrop
        if c.contains(.size), try !c.decodeNil(forKey: .size) {
            if let side = try? c.decode(Int.self, forKey: .size) {
                size = .exact(height: side, width: side)
            } else {
                let s = try c.nestedContainer(keyedBy: SizeKeys.self, forKey: .size)
                if let height = try s.decodeIfPresent(Int.self, forKey: .height),
                   let width = try s.decodeIfPresent(Int.self, forKey: .width) {
                    size = .exact(height: height, width: width)
                } else if let shortest = try s.decodeIfPresent(Int.self, forKey: .shortestEdge) {
                    size = .shortestEdge(shortest, longestEdge: try s.decodeIfPresent(Int.self, forKey: .longestEdge))
                } else {
                    throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription:
                        "expected an integer, {\"height\", \"width\"} or {\"shortest_edge\"}")
                }
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(doResize, forKey: .doResize)
        try c.encode(resample, forKey: .resample)
        try c.encode(doRescale, forKey: .doRescale)
        try c.encode(rescaleFactor, forKey: .rescaleFactor)
        try c.encode(doNormalize, forKey: .doNormalize)
        try c.encode(imageMean, forKey: .imageMean)
        try c.encode(imageStd, forKey: .imageStd)
        try c.encode(doCenterCrop, forKey: .doCenterCrop)
        var s = c.nestedContainer(keyedBy: SizeKeys.self, forKey: .size)
        switch size {
        case .exact(let height, let width):
            try s.encode(height, forKey: .height)
            try s.encode(width, forKey: .width)
        case .shortestEdge(let shortest, let longest):
            try s.encode(shortest, forKey: .shortestEdge)
            try s.encodeIfPresent(longest, forKey: .longestEdge)
        }
    }

    /// A per-channel list, or one number for all three channels.
    private static func decodeChannels(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [Double]? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let value = try? c.decode(Double.self, forKey: key) { return [value, value, value] }
        return try c.decode([Double].self, forKey: key)
    }

    /// Reads and validates `preprocessor_config.json`.
    public init(contentsOf url: URL) throws {
        let file = url.path
        let data = try configurationFileData(url)
        do {
            self = try JSONDecoder().decode(PreprocessorConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw CLIPSegError.invalidConfiguration(file: file, reason: error.oneLineDescription)
        }
        try validate(file: file)
    }

    /// Output `(height, width)` of the resize step for an input of the given size, as transformers
    /// computes it (`get_resize_output_image_size` / `get_size_with_aspect_ratio`).
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        guard doResize else { return (height, width) }
        switch size {
        case .exact(let h, let w):
            return (h, w)
        case .shortestEdge(let shortest, nil):
            // get_resize_output_image_size(default_to_square=False)
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(shortest) * Double(long) / Double(short))
            return width <= height ? (newLong, shortest) : (shortest, newLong)
        case .shortestEdge(var target, let longest?):
            // get_size_with_aspect_ratio(size, max_size)
            let low = Double(min(height, width)), high = Double(max(height, width))
            var raw: Double?
            if high / low * Double(target) > Double(longest) {
                raw = Double(longest) * low / high
                target = Int(raw!.rounded(.toNearestOrEven))
            }
            if (height <= width && height == target) || (width <= height && width == target) {
                return (height, width)
            }
            let scaled = { (side: Int, other: Int) in Int((raw ?? Double(target)) * Double(side) / Double(other)) }
            return width < height ? (scaled(height, width), target) : (target, scaled(width, height))
        }
    }

    /// The PIL filter for `resample`.
    public var filter: PILResample.Filter? { PILResample.Filter(pilCode: resample) }

    /// Largest target side accepted (FFmpeg's largest pictures): beyond it `resizedSize` overflows
    /// and a resized frame could not be allocated.
    public static let maximumSide = 16384

    public func validate(file: String = "preprocessor_config.json") throws {
        func fail(_ reason: String) -> CLIPSegError { .invalidConfiguration(file: file, reason: reason) }
        switch size {
        case .exact(let h, let w):
            guard h > 0, w > 0 else { throw fail("size \(h)×\(w) must be positive") }
            guard h <= Self.maximumSide, w <= Self.maximumSide else {
                throw fail("size \(h)×\(w) exceeds \(Self.maximumSide) pixels a side")
            }
        case .shortestEdge(let s, let l):
            guard s > 0, l.map({ $0 > 0 }) ?? true else { throw fail("size edges must be positive") }
            guard s <= Self.maximumSide, (l ?? 0) <= Self.maximumSide else {
                throw fail("size edges must be at most \(Self.maximumSide) pixels")
            }
        }
        if doResize, filter == nil {
            throw fail("resample \(resample) is not supported (use 1 Lanczos, 2 bilinear, 3 bicubic, 4 box or 5 Hamming)")
        }
        guard imageMean.count == 3, imageStd.count == 3 else {
            throw fail("image_mean and image_std need 3 values, got \(imageMean.count) and \(imageStd.count)")
        }
        guard imageStd.allSatisfy({ $0 != 0 }) else { throw fail("image_std must not contain 0") }
        guard !doCenterCrop else { throw fail("do_center_crop is not supported") }
    }
}
