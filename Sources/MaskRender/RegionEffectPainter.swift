import VideoFrames

/// Paints per-prompt effects (`RegionEffect`) over a rendered picture, in place.
///
/// Effects are painted in `RegionEffect.paintOrder` (remove, blur, pixelate, fill, redact; prompts in list
/// order within one kind), each blended through its prompt's 0…255 mask: `out = effect · m + picture · (1 − m)`.
/// Blur and pixelation are computed from `original` (the frame as captured), so they never blur the tint of
/// an overlay or another effect. `redact` regions are the masks thresholded (probability ≥ the masks'
/// threshold) and grown by `redactionMargin`, painted solid. Scratch buffers are kept between frames;
/// one painter per compose stage, not shared.
public struct RegionEffectPainter: Sendable {
    /// Box-blur radius of `.blur` regions (three passes); nil picks `max(4, min(width, height) / 40)`.
    public var blurRadius: Int?
    /// Block side of `.pixelate` regions in pixels; nil picks `max(4, min(width, height) / 32)`.
    public var blockSize: Int?
    /// How far `.redact` regions are grown, in pixels; nil picks `max(4, min(width, height) / 60)`.
    public var redactionMargin: Int?
    /// What `.remove` regions show (black when nil).
    public var background: Background?

    private var blurred: [UInt8] = []
    private var pixelated: [UInt8] = []
    private var backdrop: [UInt8] = []
    private var backdropSize = (width: 0, height: 0)
    private var region: [UInt8] = []
    private var blurrer = BoxBlur()
    private var dilation = MaskDilation()

    public init(blurRadius: Int? = nil, blockSize: Int? = nil, redactionMargin: Int? = nil, background: Background? = nil) {
        self.blurRadius = blurRadius
        self.blockSize = blockSize
        self.redactionMargin = redactionMargin
        self.background = background
    }

    /// Paints `effects[p]` through prompt `p`'s mask over `picture` (nil and `.keep`: nothing to paint).
    /// `picture`, `original` and `masks` must have one size; `effects` may be shorter than the prompt list.
    public mutating func paint(_ picture: inout RGBFrame, original: RGBFrame, masks: ShapedMasks,
                               effects: [RegionEffect?]) throws(CompositorError) {
        guard picture.width == masks.width, picture.height == masks.height,
              original.width == masks.width, original.height == masks.height else {
            throw CompositorError(message: "masks are \(masks.width)x\(masks.height) but the frame is "
                                  + "\(picture.width)x\(picture.height)")
        }
        let painted = effects.prefix(masks.promptCount).enumerated()
            .compactMap { index, effect in effect.flatMap { $0 == .keep ? nil : (index, $0) } }
            .sorted { ($0.1.paintOrder, $0.0) < ($1.1.paintOrder, $1.0) }
        let side = min(picture.width, picture.height)
        var blurReady = false, pixelsReady = false
        for (index, effect) in painted {
            let plane = masks.maskPlane(index)
            guard effect.isRedaction || plane.contains(where: { $0 != 0 }) else { continue }
            switch effect {
            case .keep: break
            case .remove:
                prepareBackdrop(width: picture.width, height: picture.height)
                Self.blend(&picture, source: backdrop, mask: plane)
            case .blur:
                if !blurReady {
                    blurred = original.pixels
                    let radius = blurRadius ?? max(4, side / 40)
                    blurred.withUnsafeMutableBufferPointer { pixels in
                        blurrer.blur(pixels, width: original.width, height: original.height, channels: 3, radius: radius, passes: 3)
                    }
                    blurReady = true
                }
                Self.blend(&picture, source: blurred, mask: plane)
            case .pixelate:
                if !pixelsReady {
                    Self.pixelate(original, blockSize: blockSize ?? max(4, side / 32), into: &pixelated)
                    pixelsReady = true
                }
                Self.blend(&picture, source: pixelated, mask: plane)
            case .fill(let color):
                Self.blend(&picture, color: color, mask: plane)
            case .redact(let color):
                let probabilities = masks.probabilityPlane(index)
                region = probabilities.map { $0 >= masks.threshold ? 255 : 0 }
                dilation.dilate(&region, width: picture.width, height: picture.height,
                                margin: redactionMargin ?? max(4, side / 60))
                Self.blend(&picture, color: color, mask: region[...])
            }
        }
    }

    /// Paints the whole picture in `color`: what a redacted output shows when its masks are not recent enough.
    public static func blank(_ picture: inout RGBFrame, color: RGBColor) {
        picture.pixels.withUnsafeMutableBufferPointer { pixels in
            for i in stride(from: 0, to: pixels.count, by: 3) {
                pixels[i] = color.red
                pixels[i + 1] = color.green
                pixels[i + 2] = color.blue
            }
        }
    }

    private mutating func prepareBackdrop(width: Int, height: Int) {
        guard backdropSize != (width, height) || backdrop.count != width * height * 3 else { return }
        backdrop = (background ?? .color(RGBColor(red: 0, green: 0, blue: 0))).pixels(width: width, height: height)
        backdropSize = (width, height)
    }

    /// `picture = source · m + picture · (1 − m)`, per channel, rounded.
    private static func blend(_ picture: inout RGBFrame, source: [UInt8], mask: ArraySlice<UInt8>) {
        source.withUnsafeBufferPointer { source in
            mask.withUnsafeBufferPointer { mask in
                picture.pixels.withUnsafeMutableBufferPointer { pixels in
                    for i in 0..<mask.count where mask[i] != 0 {
                        let m = mask[i]
                        for c in 0..<3 { pixels[3 * i + c] = Compositor.mix(source[3 * i + c], pixels[3 * i + c], m) }
                    }
                }
            }
        }
    }

    private static func blend(_ picture: inout RGBFrame, color: RGBColor, mask: ArraySlice<UInt8>) {
        let channels = [color.red, color.green, color.blue]
        mask.withUnsafeBufferPointer { mask in
            picture.pixels.withUnsafeMutableBufferPointer { pixels in
                for i in 0..<mask.count where mask[i] != 0 {
                    let m = mask[i]
                    for c in 0..<3 { pixels[3 * i + c] = Compositor.mix(channels[c], pixels[3 * i + c], m) }
                }
            }
        }
    }

    /// Each `blockSize`² block (smaller at the right and bottom edges) painted in its rounded mean colour.
    static func pixelate(_ frame: RGBFrame, blockSize: Int, into output: inout [UInt8]) {
        let width = frame.width, height = frame.height, block = max(1, blockSize)
        if output.count != frame.pixels.count { output = [UInt8](repeating: 0, count: frame.pixels.count) }
        frame.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                for top in stride(from: 0, to: height, by: block) {
                    let bottom = min(top + block, height)
                    for left in stride(from: 0, to: width, by: block) {
                        let right = min(left + block, width)
                        var sums = (0, 0, 0)
                        for y in top..<bottom {
                            for x in left..<right {
                                let i = 3 * (y * width + x)
                                sums.0 += Int(source[i]); sums.1 += Int(source[i + 1]); sums.2 += Int(source[i + 2])
                            }
                        }
                        let count = (bottom - top) * (right - left)
                        let mean = [UInt8((sums.0 + count / 2) / count), UInt8((sums.1 + count / 2) / count),
                                    UInt8((sums.2 + count / 2) / count)]
                        for y in top..<bottom {
                            for x in left..<right {
                                let i = 3 * (y * width + x)
                                out[i] = mean[0]; out[i + 1] = mean[1]; out[i + 2] = mean[2]
                            }
                        }
                    }
                }
            }
        }
    }
}

extension RegionEffect {
    var isRedaction: Bool { if case .redact = self { return true } else { return false } }
}
