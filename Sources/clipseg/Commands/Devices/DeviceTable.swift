import Foundation
import MediaIO

/// The text `clipseg devices` prints: one block per device, one row per format and size.
///
///     /dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:00:14.0-1)
///       YUYV  YUYV 4:2:2    640x480    30, 15 fps
///                           1280x720   10 fps
///       MJPG  Motion-JPEG   1920x1080  30 fps
enum DeviceTable {
    static func render(_ device: CameraDeviceInfo) -> String {
        var text = "\(device.path)  \(device.card) (\(device.driver), \(device.busInfo))\n"
        guard device.canCapture else {
            let use = device.kind == "video output" ? "; segment can write to it: -o v4l2:\(device.path)" : ""
            return text + "  not a video capture device (\(device.kind)\(use))\n"
        }
        guard !device.formats.isEmpty else { return text + "  no formats listed\n" }
        let descriptionWidth = device.formats.map(\.description.count).max() ?? 0
        let sizeWidth = device.formats.flatMap(\.sizes).map { sizeText($0).count }.max() ?? 0
        for format in device.formats {
            let head = "  " + pad(format.fourCC, 4) + "  " + pad(format.description, descriptionWidth) + "  "
            if format.sizes.isEmpty { text += head + "(sizes not listed)\n" }
            for (row, option) in format.sizes.enumerated() {
                let lead = row == 0 ? head : String(repeating: " ", count: head.count)
                text += lead + pad(sizeText(option), sizeWidth) + "  " + ratesText(option.frameRates) + "\n"
            }
        }
        return text
    }

    /// The last line of `clipseg devices --test`.
    static func summary(_ report: CameraCheck.Report) -> String {
        let info = report.info
        var line = "\(info.name): \(report.frames) frame\(report.frames == 1 ? "" : "s") of \(info.width)x\(info.height)"
        if report.frames > 1, report.lastTimestamp > 0 {
            let measured = Double(report.frames - 1) / report.lastTimestamp
            line += String(format: " in %.2f s, %.1f fps measured", report.lastTimestamp, measured)
        }
        if let rate = info.frameRate { line += " (camera set to " + rateText(rate) + ")" }
        line += report.skippedByDevice == 0 ? ", none skipped by the camera"
            : ", \(report.skippedByDevice) skipped by the camera"
        if report.endedEarly { line += "; the stream ended early" }
        return line
    }

    static func sizeText(_ option: CameraSizeOption) -> String {
        switch option {
        case .discrete(let size, _): return size.description
        case .range(let minimum, let maximum, let step, _):
            return step.width <= 1 && step.height <= 1
                ? "\(minimum)-\(maximum)" : "\(minimum)-\(maximum) step \(step)"
        }
    }

    static func ratesText(_ rates: CameraFrameRates) -> String {
        switch rates {
        case .discrete(let list): return list.map(number).joined(separator: ", ") + " fps"
        case .range(let slowest, let fastest): return "\(number(slowest))-\(number(fastest)) fps"
        case .unknown: return "frame rates not listed"
        }
    }

    private static func rateText(_ rate: Double) -> String { number(rate) + " fps" }

    /// `30`, `7.5`, `29.97`.
    private static func number(_ value: Double) -> String {
        let hundredths = (value * 100).rounded() / 100
        return hundredths == hundredths.rounded() ? String(Int(hundredths)) : String(hundredths)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
