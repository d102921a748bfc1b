import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// VIDIOC_ENUM_FMT / ENUM_FRAMESIZES / ENUM_FRAMEINTERVALS on an open device. Through libv4l2 the
/// lists include the formats it converts to (flagged emulated), with the sizes of their source formats.
extension V4L2Descriptor {
    /// One entry of VIDIOC_ENUM_FMT.
    struct FormatEntry {
        var code: UInt32
        var description: String
        var flags: UInt32
        var isEmulated: Bool { flags & CLIPSEG_V4L2_FMT_FLAG_EMULATED != 0 }
        var isCompressed: Bool { flags & CLIPSEG_V4L2_FMT_FLAG_COMPRESSED != 0 }
    }

    /// Capture formats in the driver's order (enumeration stops at the first error, as V4L2 specifies).
    func pixelFormats() -> [FormatEntry] {
        var entries: [FormatEntry] = []
        for index in 0..<256 {
            var description = v4l2_fmtdesc()
            description.index = UInt32(index)
            description.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
            guard control(CLIPSEG_VIDIOC_ENUM_FMT, &description) == 0 else { break }
            entries.append(FormatEntry(code: description.pixelformat, description: cString(description.description),
                                       flags: description.flags))
        }
        return entries
    }

    /// Frame sizes offered for `pixelFormat`, each with its frame rates.
    func sizeOptions(pixelFormat: UInt32) -> [CameraSizeOption] {
        var options: [CameraSizeOption] = []
        for index in 0..<1024 {
            var entry = v4l2_frmsizeenum()
            entry.index = UInt32(index)
            entry.pixel_format = pixelFormat
            guard control(CLIPSEG_VIDIOC_ENUM_FRAMESIZES, &entry) == 0 else { break }
            if entry.type == CLIPSEG_V4L2_FRMSIZE_TYPE_DISCRETE {
                let size = CameraSize(width: Int(entry.discrete.width), height: Int(entry.discrete.height))
                options.append(.discrete(size, frameRates: frameRates(pixelFormat: pixelFormat, size: size)))
                continue
            }
            // Stepwise or continuous: the only entry.
            let range = entry.stepwise
            let minimum = CameraSize(width: Int(range.min_width), height: Int(range.min_height))
            let maximum = CameraSize(width: Int(range.max_width), height: Int(range.max_height))
            let step = entry.type == CLIPSEG_V4L2_FRMSIZE_TYPE_CONTINUOUS
                ? CameraSize(width: 1, height: 1)
                : CameraSize(width: max(1, Int(range.step_width)), height: max(1, Int(range.step_height)))
            options.append(.range(min: minimum, max: maximum, step: step,
                                  frameRates: frameRates(pixelFormat: pixelFormat, size: maximum)))
            break
        }
        return options
    }

    /// Frame rates offered for `pixelFormat` at `size`.
    func frameRates(pixelFormat: UInt32, size: CameraSize) -> CameraFrameRates {
        var rates: [Double] = []
        for index in 0..<256 {
            var entry = v4l2_frmivalenum()
            entry.index = UInt32(index)
            entry.pixel_format = pixelFormat
            entry.width = UInt32(size.width)
            entry.height = UInt32(size.height)
            guard control(CLIPSEG_VIDIOC_ENUM_FRAMEINTERVALS, &entry) == 0 else { break }
            if entry.type == CLIPSEG_V4L2_FRMIVAL_TYPE_DISCRETE {
                if let rate = framesPerSecond(entry.discrete) { rates.append(rate) }
                continue
            }
            // Stepwise or continuous: the only entry. The longest interval is the slowest rate.
            guard let slowest = framesPerSecond(entry.stepwise.max),
                  let fastest = framesPerSecond(entry.stepwise.min) else { return .unknown }
            return .range(min: slowest, max: fastest)
        }
        return rates.isEmpty ? .unknown : .discrete(rates)
    }
}

/// Frames per second for a V4L2 frame interval (`numerator / denominator` seconds), nil when degenerate.
func framesPerSecond(_ interval: v4l2_fract) -> Double? {
    guard interval.numerator > 0, interval.denominator > 0 else { return nil }
    return Double(interval.denominator) / Double(interval.numerator)
}
