import FileSafety
import MediaIO

/// Where one `-o` writes the composed video: a file, standard output or a picture folder (`VideoWriter`),
/// or a virtual camera — a V4L2 output device such as v4l2loopback's, named `v4l2:PATH` or by a path that
/// is one (`VirtualCameraWriter`).
///
/// A virtual camera is written in place frame by frame: never created, replaced or removed, needs no `-y`
/// (its place is the device node, which `OutputPaths` treats as a device), and is checked when the command
/// line is read — that it is a video output device and takes a pixel format clipseg writes — so a wrong
/// device fails before the model loads and before any other output is opened.
enum VideoOutputTarget: Sendable, Equatable {
    case video(String)
    case virtualCamera(device: String)

    static let devicePrefix = "v4l2:"

    /// Reads one `-o` value. Throws a `CommandFailure` naming `role`: a V4L2 node that is not an output
    /// device, or no format in common (exit 1); a video name `VideoWriter` cannot serve (exit 64).
    init(role: String, argument: String) throws {
        if argument.hasPrefix(Self.devicePrefix) {
            let device = String(argument.dropFirst(Self.devicePrefix.count))
            guard !device.isEmpty else {
                throw CommandFailure.usage("\(role) \(argument): give the device after v4l2: (v4l2:/dev/video10)")
            }
            try Self.check(role: role, device: device)
            self = .virtualCamera(device: device)
        } else if argument != "-", CameraDevice.isVideoDeviceNode(argument) {
            try Self.check(role: role, device: argument)
            self = .virtualCamera(device: argument)
        } else {
            self = .video(argument)
        }
    }

    /// The path as given for files, the device path for virtual cameras.
    var path: String {
        switch self {
        case .video(let path): return path
        case .virtualCamera(let device): return device
        }
    }

    /// The video file (or `-`, or picture folder) of a `.video` target; nil for a virtual camera.
    var videoFile: String? {
        if case .video(let path) = self { return path }
        return nil
    }

    /// `--out-size`, checked: within 2x2…8192x8192 (exit 64), and only with a virtual camera among `outputs`.
    static func checkSize(_ size: CameraSize?, outputs: [VideoOutputTarget]) throws -> CameraSize? {
        guard let size else { return nil }
        guard (2...8192).contains(size.width) && (2...8192).contains(size.height) else {
            throw CommandFailure.usage("--out-size must be between 2x2 and 8192x8192, got \(size)")
        }
        guard outputs.contains(where: { $0.videoFile == nil }) else {
            throw CommandFailure.usage("--out-size applies to a virtual camera; add -o v4l2:/dev/videoN")
        }
        return size
    }

    /// What `OutputPaths` checks for clashes and existing files.
    func place(role: String) throws -> OutputPlace {
        switch self {
        case .video(let path): return try OutputPaths.video(role, path)
        case .virtualCamera(let device): return .file(device)
        }
    }

    private static func check(role: String, device: String) throws {
        do {
            try V4L2OutputDevice.check(device)
        } catch let error as MediaError {
            if case .noSuchFile = error {
                throw CommandFailure.runtime("\(role) \(device): no such device (a virtual camera needs the v4l2loopback "
                                             + "module: modprobe v4l2loopback video_nr=10 card_label=clipseg exclusive_caps=1)")
            }
            throw CommandFailure.runtime("\(role) \(error)")
        }
    }
}
