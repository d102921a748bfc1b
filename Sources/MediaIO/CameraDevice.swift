import CV4L2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Naming, finding and describing V4L2 cameras.
///
/// Cameras are named by a device path (`/dev/video0`) or `camera:N` (short for `/dev/videoN`).
public enum CameraDevice {
    /// The major number of video4linux character devices.
    static let videoMajor: UInt32 = 81

    /// The device path an input names when it is a camera, else nil:
    /// `camera:N` → `/dev/videoN`; a path to a video4linux character device → that path.
    /// Anything else (files, URLs, `-`) is nil and left to the file reader.
    public static func path(for input: String) -> String? {
        if input.hasPrefix("camera:") {
            let number = input.dropFirst("camera:".count)
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                  let index = Int(number) else { return nil }
            return "/dev/video\(index)"
        }
        return isVideoDeviceNode(input) ? input : nil
    }

    /// True when `path` is a character device of the video4linux major (81).
    public static func isVideoDeviceNode(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFCHR else { return false }
        return clipseg_device_major(info.st_rdev) == videoMajor
    }

    /// `/dev/video*` nodes present now, by number (`/dev/video2` before `/dev/video10`).
    public static func systemDevicePaths(in folder: String = "/dev") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let numbered = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("video"), let number = Int(name.dropFirst("video".count)) else { return nil }
            return (number, folder + "/" + name)
        }
        return numbered.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Opens `path` (or `camera:N`) briefly and lists what it is and offers. Throws `CameraError`
    /// when it cannot be opened or is not a V4L2 device; a node that cannot capture is described
    /// with `canCapture == false` and no formats.
    public static func describe(_ input: String) throws -> CameraDeviceInfo {
        let path = CameraDevice.path(for: input) ?? input
        let device = try V4L2Descriptor(path: path)
        defer { device.close() }
        let (capability, caps) = try device.capabilities()
        let canCapture = caps & CLIPSEG_V4L2_CAP_VIDEO_CAPTURE != 0 && caps & CLIPSEG_V4L2_CAP_STREAMING != 0
        let formats: [CameraPixelFormat] = canCapture
            ? device.pixelFormats().filter { !$0.isEmulated }.map { entry in
                CameraPixelFormat(fourCC: fourCC(entry.code), description: entry.description,
                                  isCompressed: entry.isCompressed,
                                  sizes: device.sizeOptions(pixelFormat: entry.code))
            }
            : []
        return CameraDeviceInfo(path: path, card: cString(capability.card), driver: cString(capability.driver),
                                busInfo: cString(capability.bus_info), kind: kind(of: caps),
                                canCapture: canCapture, formats: formats)
    }

    /// What a node with capability bits `caps` does, in words.
    static func kind(of caps: UInt32) -> String {
        let kinds: [(UInt32, String)] = [
            (CLIPSEG_V4L2_CAP_VIDEO_M2M | CLIPSEG_V4L2_CAP_VIDEO_M2M_MPLANE, "memory-to-memory (codec or converter)"),
            (CLIPSEG_V4L2_CAP_VIDEO_CAPTURE | CLIPSEG_V4L2_CAP_VIDEO_CAPTURE_MPLANE, "video capture"),
            (CLIPSEG_V4L2_CAP_VIDEO_OUTPUT | CLIPSEG_V4L2_CAP_VIDEO_OUTPUT_MPLANE, "video output"),
            (CLIPSEG_V4L2_CAP_META_CAPTURE, "metadata"),
            (CLIPSEG_V4L2_CAP_VBI_CAPTURE, "VBI"),
            (CLIPSEG_V4L2_CAP_SDR_CAPTURE, "software-defined radio"),
            (CLIPSEG_V4L2_CAP_RADIO | CLIPSEG_V4L2_CAP_TUNER, "radio or tuner"),
            (CLIPSEG_V4L2_CAP_TOUCH, "touch sensor"),
        ]
        return kinds.first { caps & $0.0 != 0 }?.1 ?? "unknown V4L2 node"
    }
}
