import CFFmpeg
import CV4L2

/// The pixel formats clipseg writes to a V4L2 output device, in order of preference: what webcams send
/// and what browsers and call apps read from v4l2loopback. Both are BT.601 limited-range Y'CbCr, the
/// V4L2 default for these formats.
public enum VirtualCameraPixelFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Packed 4:2:2, two bytes a pixel (`Y0 Cb Y1 Cr`); FFmpeg's `yuyv422`.
    case yuyv
    /// Planar 4:2:0, 1.5 bytes a pixel (Y plane, then Cb, then Cr); FFmpeg's `yuv420p`, V4L2's `YU12`.
    case yuv420

    /// The V4L2 four-character code.
    var v4l2Code: UInt32 {
        switch self {
        case .yuyv: return CLIPSEG_V4L2_PIX_FMT_YUYV
        case .yuv420: return CLIPSEG_V4L2_PIX_FMT_YUV420
        }
    }

    var ffmpegFormat: AVPixelFormat {
        switch self {
        case .yuyv: return AV_PIX_FMT_YUYV422
        case .yuv420: return AV_PIX_FMT_YUV420P
        }
    }

    /// Bytes of one `width`×`height` frame as written to the device.
    public func frameBytes(width: Int, height: Int) -> Int {
        switch self {
        case .yuyv: return (width + 1) / 2 * 4 * height
        case .yuv420: return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2)
        }
    }

    /// `YUYV`, `YU12`: the four-character code, as `v4l2-ctl` and v4l2loopback name it.
    public var description: String {
        switch self {
        case .yuyv: return "YUYV"
        case .yuv420: return "YU12"
        }
    }
}
