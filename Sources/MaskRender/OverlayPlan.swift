import VideoFrames

/// The overlay (`--mode overlay`) of one set of masks, worked out once and painted on every frame that shares
/// those masks. A live run composes most frames with the masks of an earlier one (the model keeps up with
/// one frame in ten or so), and finding the tinted pixels and the outline means reading every mask byte and
/// its four neighbours; the plan keeps only the pixels that change.
///
/// For each prompt in order: the pixels its mask touches with their tint weight, then its outline — the pixels
/// on the edge of its region (mask ≥ 128 next to < 128, 4-neighbourhood) in the prompt's colour, and those just
/// outside in `RGBColor.contrastingBlackOrWhite`. A later prompt paints over an earlier one. Painting gives
/// exactly the bytes of tinting and outlining from the masks directly. Memory: 6 bytes per tinted pixel and 4
/// per outline pixel, at most `[promptCount, height, width]`.
public struct OverlayPlan: Sendable {
    /// One prompt's share of the overlay.
    struct Layer: Sendable {
        var color: RGBColor
        var halo: RGBColor
        /// Pixel indices (row-major) the mask touches, and each one's weight 0…256 (opacity × mask).
        var tinted: [Int32] = []
        var weights: [UInt16] = []
        /// Outline pixels inside the region (painted `color`) and just outside it (painted `halo`).
        var innerEdge: [Int32] = []
        var outerEdge: [Int32] = []
    }

    public let width: Int
    public let height: Int
    private(set) var layers: [Layer] = []

    /// Plans the overlay of `masks`: tint strength `opacity` (0…1) where a mask is full, outline or not.
    public init(masks: ShapedMasks, opacity: Float, outline: Bool) {
        width = masks.width
        height = masks.height
        let plane = masks.planeSize, width = masks.width, height = masks.height
        let strength = UInt32(min(max(opacity, 0), 1) * 256)
        masks.masks.withUnsafeBufferPointer { all in
            for p in 0..<masks.promptCount {
                let color = RGBColor.overlayColor(forPrompt: p)
                var layer = Layer(color: color, halo: color.contrastingBlackOrWhite)
                let mask = all.baseAddress! + p * plane
                for i in 0..<plane where mask[i] != 0 {
                    layer.tinted.append(Int32(i))
                    layer.weights.append(UInt16((strength &* UInt32(mask[i]) &+ 127) / 255))
                }
                if outline {
                    for y in 0..<height {
                        for x in 0..<width {
                            let i = y * width + x
                            let inside = mask[i] >= 128
                            let edge = (x > 0 && (mask[i - 1] >= 128) != inside)
                                || (x + 1 < width && (mask[i + 1] >= 128) != inside)
                                || (y > 0 && (mask[i - width] >= 128) != inside)
                                || (y + 1 < height && (mask[i + width] >= 128) != inside)
                            if edge {
                                if inside { layer.innerEdge.append(Int32(i)) } else { layer.outerEdge.append(Int32(i)) }
                            }
                        }
                    }
                }
                layers.append(layer)
            }
        }
    }

    /// Paints the overlay on `frame` in place; the frame must have the masks' size.
    public func paint(_ frame: inout RGBFrame) throws(CompositorError) {
        guard frame.width == width, frame.height == height else {
            throw CompositorError(message: "masks are \(width)x\(height) but the frame is \(frame.width)x\(frame.height)")
        }
        frame.pixels.withUnsafeMutableBufferPointer { buffer in
            let pixels = buffer.baseAddress!
            for layer in layers {
                let tint = (UInt32(layer.color.red), UInt32(layer.color.green), UInt32(layer.color.blue))
                layer.tinted.withUnsafeBufferPointer { tinted in
                    layer.weights.withUnsafeBufferPointer { weights in
                        for k in 0..<tinted.count {
                            let pixel = pixels + 3 * Int(tinted[k])
                            let w = UInt32(weights[k]), keep = 256 &- w
                            pixel[0] = UInt8(truncatingIfNeeded: (UInt32(pixel[0]) &* keep &+ tint.0 &* w &+ 128) >> 8)
                            pixel[1] = UInt8(truncatingIfNeeded: (UInt32(pixel[1]) &* keep &+ tint.1 &* w &+ 128) >> 8)
                            pixel[2] = UInt8(truncatingIfNeeded: (UInt32(pixel[2]) &* keep &+ tint.2 &* w &+ 128) >> 8)
                        }
                    }
                }
                for (edge, ink) in [(layer.innerEdge, layer.color), (layer.outerEdge, layer.halo)] {
                    for i in edge {
                        let pixel = pixels + 3 * Int(i)
                        pixel[0] = ink.red
                        pixel[1] = ink.green
                        pixel[2] = ink.blue
                    }
                }
            }
        }
    }
}
