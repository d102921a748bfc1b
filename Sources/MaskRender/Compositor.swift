import VideoFrames

/// Renders output frames from a frame and its masks, in place, reusing its buffers between frames.
///
/// Blending uses the 0…255 masks of `ShapedMasks` (binary, soft or feathered), so soft masks give soft
/// edges: `out = object · m + background · (1 − m)` per channel, rounded. One compositor per stage; not shared.
public struct Compositor: Sendable {
    public let mode: OutputMode
    /// Overlay tint strength where a mask is full (0…1).
    public var overlayOpacity: Float
    /// Overlay: draw a 2-pixel outline around each prompt's region: its pixels on the edge in the prompt's
    /// full colour, the pixels just outside in `RGBColor.contrastingBlackOrWhite` of that colour.
    public var outline: Bool
    /// Blur mode: box radius in pixels (three passes); nil picks `max(3, min(width, height) / 60)`.
    public var blurRadius: Int?
    /// Replace mode: what goes behind the object (black when nil).
    public var background: Background?

    /// Cutout: the alpha plane of the last frame rendered, `[height, width]` (0 = transparent).
    /// Empty for other modes.
    public private(set) var alpha: [UInt8] = []

    private var backdrop: [UInt8] = []
    private var backdropSize = (width: 0, height: 0)
    private var blurrer = BoxBlur()

    public init(mode: OutputMode, background: Background? = nil, blurRadius: Int? = nil,
                overlayOpacity: Float = 0.5, outline: Bool = true) {
        self.mode = mode
        self.background = background
        self.blurRadius = blurRadius
        self.overlayOpacity = overlayOpacity
        self.outline = outline
    }

    /// Renders `frame` in place with `masks` (which must have the frame's size).
    public mutating func render(_ frame: inout RGBFrame, masks: ShapedMasks) throws(CompositorError) {
        guard masks.width == frame.width, masks.height == frame.height else {
            throw CompositorError(message: "masks are \(masks.width)x\(masks.height) but the frame is "
                                  + "\(frame.width)x\(frame.height)")
        }
        switch mode {
        case .overlay: try overlayPlan(for: masks).paint(&frame)
        case .matte: matte(&frame, masks.union)
        case .cutout:
            alpha = masks.union
            blendOverBackdrop(&frame, masks.union, backdrop: nil)
        case .blur:
            prepareBlurredBackdrop(frame)
            blendOverBackdrop(&frame, masks.union, backdrop: backdrop)
        case .replace:
            prepareReplacementBackdrop(width: frame.width, height: frame.height)
            blendOverBackdrop(&frame, masks.union, backdrop: backdrop)
        }
    }

    /// The overlay of `masks` with this compositor's opacity and outline, to paint on every frame that shares
    /// them (`OverlayPlan.paint`); `render` in overlay mode plans and paints in one go.
    public func overlayPlan(for masks: ShapedMasks) -> OverlayPlan {
        OverlayPlan(masks: masks, opacity: overlayOpacity, outline: outline)
    }

    /// `(a · m + b · (255 − m)) / 255` rounded, exact for bytes, without a division.
    @inline(__always)
    static func mix(_ a: UInt8, _ b: UInt8, _ m: UInt8) -> UInt8 {
        let x = UInt32(a) &* UInt32(m) &+ UInt32(b) &* (255 &- UInt32(m)) &+ 128
        return UInt8(truncatingIfNeeded: (x &+ (x >> 8)) >> 8)
    }

    private func matte(_ frame: inout RGBFrame, _ union: [UInt8]) {
        union.withUnsafeBufferPointer { mask in
            frame.pixels.withUnsafeMutableBufferPointer { pixels in
                for i in 0..<mask.count {
                    let value = mask[i]
                    pixels[3 * i] = value
                    pixels[3 * i + 1] = value
                    pixels[3 * i + 2] = value
                }
            }
        }
    }

    /// Object over `backdrop` (RGB24 of the frame's size), or over black when nil.
    private func blendOverBackdrop(_ frame: inout RGBFrame, _ union: [UInt8], backdrop: [UInt8]?) {
        union.withUnsafeBufferPointer { mask in
            frame.pixels.withUnsafeMutableBufferPointer { pixels in
                if let backdrop {
                    backdrop.withUnsafeBufferPointer { back in
                        for i in 0..<mask.count {
                            let m = mask[i]
                            for c in 0..<3 { pixels[3 * i + c] = Self.mix(pixels[3 * i + c], back[3 * i + c], m) }
                        }
                    }
                } else {
                    for i in 0..<mask.count {
                        let m = mask[i]
                        for c in 0..<3 { pixels[3 * i + c] = Self.mix(pixels[3 * i + c], 0, m) }
                    }
                }
            }
        }
    }

    private mutating func prepareBlurredBackdrop(_ frame: RGBFrame) {
        if backdrop.count != frame.pixels.count { backdrop = [UInt8](repeating: 0, count: frame.pixels.count) }
        let radius = blurRadius ?? max(3, min(frame.width, frame.height) / 60)
        backdrop.withUnsafeMutableBufferPointer { back in
            frame.pixels.withUnsafeBufferPointer { source in
                _ = back.initialize(fromContentsOf: source)
            }
            blurrer.blur(back, width: frame.width, height: frame.height, channels: 3, radius: radius, passes: 3)
        }
        backdropSize = (0, 0)  // not a cached replacement backdrop
    }

    private mutating func prepareReplacementBackdrop(width: Int, height: Int) {
        guard backdropSize != (width, height) || backdrop.count != width * height * 3 else { return }
        backdrop = (background ?? .color(RGBColor(red: 0, green: 0, blue: 0))).pixels(width: width, height: height)
        backdropSize = (width, height)
    }
}

/// Frame and masks that do not fit together; `description` is the one-line message.
public struct CompositorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
