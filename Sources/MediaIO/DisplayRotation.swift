import CFFmpeg
import VideoFrames

/// How a decoded picture must be turned to be shown upright, from a stream's display matrix
/// (phones record sideways and store the correction as side data, `rotate=90` in ffprobe's words).
public enum DisplayRotation: Int, Sendable, Equatable {
    /// Shown as decoded.
    case none = 0
    /// Turned a quarter clockwise: a W×H picture is shown H×W.
    case clockwise90 = 90
    /// Turned upside down.
    case halfTurn = 180
    /// Turned a quarter counter-clockwise (270° clockwise): a W×H picture is shown H×W.
    case counterClockwise90 = 270

    /// The rotation FFmpeg's `-autorotate` would apply for a display matrix (nine Int32, 16.16 fixed point),
    /// rounded to the nearest quarter turn. Nil matrices and degenerate ones mean `.none`.
    init(displayMatrix: UnsafePointer<Int32>?) {
        guard let displayMatrix else { self = .none; return }
        let counterClockwise = av_display_rotation_get(displayMatrix)
        guard counterClockwise.isFinite else { self = .none; return }
        // av_display_rotation_get is counter-clockwise; the picture is turned clockwise by its negation.
        var degrees = Int((-counterClockwise).rounded()) % 360
        if degrees < 0 { degrees += 360 }
        let quarter = ((degrees + 45) / 90) % 4
        self = DisplayRotation(rawValue: quarter * 90) ?? .none
    }

    /// True when width and height swap.
    public var swapsSides: Bool { self == .clockwise90 || self == .counterClockwise90 }

    /// The size a `width`×`height` picture has once turned.
    public func rotatedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        swapsSides ? (height, width) : (width, height)
    }

    /// `frame` turned upright; timestamp and index are kept.
    public func apply(to frame: RGBFrame) -> RGBFrame {
        if self == .none { return frame }
        let (w, h) = (frame.width, frame.height)
        let (outW, outH) = rotatedSize(width: w, height: h)
        var out = [UInt8](repeating: 0, count: w * h * 3)
        // Where source pixel (x, y) lands, as a start offset plus steps per x and per y (in pixels).
        let (start, stepX, stepY): (Int, Int, Int)
        switch self {
        case .clockwise90: (start, stepX, stepY) = (h - 1, outW, -1)                     // (h-1-y, x)
        case .halfTurn: (start, stepX, stepY) = (outW * outH - 1, -1, -outW)             // (w-1-x, h-1-y)
        case .counterClockwise90: (start, stepX, stepY) = ((w - 1) * outW, -outW, 1)     // (y, w-1-x)
        case .none: (start, stepX, stepY) = (0, 1, outW)
        }
        frame.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    var d = (start + y * stepY) * 3
                    var s = y * w * 3
                    for _ in 0..<w {
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                        d += stepX * 3
                        s += 3
                    }
                }
            }
        }
        return RGBFrame(width: outW, height: outH, pixels: out, timestamp: frame.timestamp, index: frame.index)
    }
}
