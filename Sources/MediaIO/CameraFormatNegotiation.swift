import CV4L2
#if canImport(Glibc)
import Glibc
#endif

/// The format a camera was set to for capture: packed RGB24 (converted by libv4l2 when the hardware
/// delivers YUYV or MJPEG), with one-line notices where it differs from what was asked.
struct NegotiatedFormat {
    var size: CameraSize
    /// Bytes from one row to the next in a driver buffer (at least `width * 3`).
    var bytesPerLine: Int
    /// Frames per second, when the driver says.
    var frameRate: Double?
    /// `camera /dev/video0: 800x600 is not offered; using the nearest, 640x480`, …
    var notices: [String]
}

extension V4L2Descriptor {
    /// Sets RGB24 at the offered size nearest to `options.size` and the offered rate nearest to
    /// `options.frameRate` (VIDIOC_S_FMT, VIDIOC_S_PARM). Throws `CameraError.formatRefused` when the
    /// driver refuses RGB24 at that size, `.busy` when another program holds the device.
    func negotiateRGB24(_ options: CameraOptions) throws -> NegotiatedFormat {
        let rgb24 = CLIPSEG_V4L2_PIX_FMT_RGB24
        var notices: [String] = []
        var target: CameraSize
        if let wanted = options.size {
            target = CameraFormatChoice.nearestSize(to: wanted, among: sizeOptions(pixelFormat: rgb24)) ?? wanted
            if target != wanted { notices.append("camera \(path): \(wanted) is not offered; using the nearest, \(target)") }
        } else {
            var current = v4l2_format()
            current.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
            try require(CLIPSEG_VIDIOC_G_FMT, &current, "VIDIOC_G_FMT")
            target = CameraSize(width: Int(current.fmt.pix.width), height: Int(current.fmt.pix.height))
        }

        var format = v4l2_format()
        format.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
        format.fmt.pix.width = UInt32(target.width)
        format.fmt.pix.height = UInt32(target.height)
        format.fmt.pix.pixelformat = rgb24
        let code = control(CLIPSEG_VIDIOC_S_FMT, &format)
        if code == EBUSY || code == ENODEV { throw V4L2Descriptor.error(code, device: path, operation: "VIDIOC_S_FMT") }
        if code != 0 {
            throw CameraError.formatRefused(path, format: "RGB24 \(target)", reason: CameraError.systemMessage(code))
        }
        let granted = CameraSize(width: Int(format.fmt.pix.width), height: Int(format.fmt.pix.height))
        guard format.fmt.pix.pixelformat == rgb24 else {
            throw CameraError.formatRefused(path, format: "RGB24 \(target)",
                                            reason: "the driver set \(fourCC(format.fmt.pix.pixelformat)) \(granted)")
        }
        guard granted.width > 0, granted.height > 0 else {
            throw CameraError.formatRefused(path, format: "RGB24 \(target)", reason: "the driver set an empty size")
        }
        if granted != target { notices.append("camera \(path): asked for \(target), the driver set \(granted)") }

        let frameRate = try negotiateRate(options.frameRate, pixelFormat: rgb24, size: granted, notices: &notices)
        return NegotiatedFormat(size: granted, bytesPerLine: max(Int(format.fmt.pix.bytesperline), granted.width * 3),
                                frameRate: frameRate, notices: notices)
    }

    /// Sets the offered rate nearest to `wanted` when the driver allows it; returns the rate in force.
    private func negotiateRate(_ wanted: Double?, pixelFormat: UInt32, size: CameraSize,
                               notices: inout [String]) throws -> Double? {
        var parameters = v4l2_streamparm()
        parameters.type = CLIPSEG_V4L2_BUF_TYPE_VIDEO_CAPTURE
        guard control(CLIPSEG_VIDIOC_G_PARM, &parameters) == 0 else {
            if wanted != nil { notices.append("camera \(path): the frame rate cannot be set; the camera picks it") }
            return nil
        }
        let current = framesPerSecond(parameters.parm.capture.timeperframe)
        guard let wanted else { return current }
        guard parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 else {
            notices.append("camera \(path): the frame rate cannot be set; the camera picks it")
            return current
        }
        let offered = frameRates(pixelFormat: pixelFormat, size: size)
        let chosen = CameraFormatChoice.nearestRate(to: wanted, among: offered) ?? wanted
        if abs(chosen - wanted) > 0.01 {
            notices.append("camera \(path): \(CameraFormatChoice.describeRate(wanted)) is not offered at \(size); "
                           + "using the nearest, \(CameraFormatChoice.describeRate(chosen))")
        }
        parameters.parm.capture.timeperframe = interval(framesPerSecond: chosen)
        let code = control(CLIPSEG_VIDIOC_S_PARM, &parameters)
        if code == EBUSY || code == ENODEV { throw V4L2Descriptor.error(code, device: path, operation: "VIDIOC_S_PARM") }
        if code != 0 {
            notices.append("camera \(path): could not set \(CameraFormatChoice.describeRate(chosen)) "
                           + "(\(CameraError.systemMessage(code)))")
            return current
        }
        let granted = framesPerSecond(parameters.parm.capture.timeperframe)
        if let granted, abs(granted - chosen) > 0.01 {
            notices.append("camera \(path): asked for \(CameraFormatChoice.describeRate(chosen)), "
                           + "the driver set \(CameraFormatChoice.describeRate(granted))")
        }
        return granted ?? chosen
    }

    /// The frame interval (seconds per frame) for a rate, as a fraction with a denominator of 1000 or less.
    private func interval(framesPerSecond rate: Double) -> v4l2_fract {
        var fraction = v4l2_fract()
        if rate == rate.rounded(), rate >= 1 {
            fraction.numerator = 1
            fraction.denominator = UInt32(rate)
        } else {
            fraction.numerator = 1000
            fraction.denominator = UInt32(max(1, (rate * 1000).rounded()))
        }
        return fraction
    }
}
