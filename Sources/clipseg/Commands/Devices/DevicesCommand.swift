import ArgumentParser
import MediaIO

/// `clipseg devices`: lists V4L2 cameras with their formats, sizes and frame rates; with `--test`,
/// captures a few frames from one camera to check that it works.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List cameras (V4L2 devices) and what they offer, or check that one captures.",
        discussion: """
        Without a device named, lists every /dev/video* node. A camera is named by its path or camera:N (/dev/videoN).

        --test captures frames the way `clipseg segment` does (RGB through libv4l2) and reports the frame rate \
        measured with the camera's clock, stalls and disconnects; it fails when fewer frames than asked arrive.
        """
    )

    @Argument(help: "Devices to list or test (/dev/video0, camera:0); default: all /dev/video* nodes.")
    var devices: [String] = []

    @Flag(help: "Capture from the device (the first capture device when none is named) and report.")
    var test = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames to capture with --test.", valueName: "count"))
    var frames = 30

    /// `--camera-size`, as `clipseg segment` spells it (its `--size` is the model's input size).
    @Option(name: .customLong("camera-size"),
            help: ArgumentHelp("Frame size to ask for with --test; the nearest offered size is used (default: 640x480).",
                               valueName: "WxH"))
    var cameraSize: CameraSize?

    /// The old spelling of `--camera-size`, kept hidden so that scripts using it still work.
    @Option(name: .customLong("size"), help: .hidden)
    var legacySize: CameraSize?

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames per second to ask for with --test; the nearest offered rate is used.",
                               valueName: "rate"))
    var fps = 30.0

    @Option(name: .customLong("stall-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds without a frame before --test gives up.", valueName: "seconds"))
    var stallTimeout = 10.0

    @Option(name: .customLong("save-frames"),
            help: ArgumentHelp("Folder to save the --test frames in, as PPM images.", valueName: "folder"))
    var saveFrames: String?

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be at least 1") }
        guard fps > 0, fps.isFinite else { throw ValidationError("--fps must be a positive number") }
        guard stallTimeout > 0, stallTimeout.isFinite else { throw ValidationError("--stall-timeout must be positive") }
        if test && devices.count > 1 { throw ValidationError("--test takes one device") }
        if legacySize != nil && cameraSize != nil {
            throw ValidationError("--size is the old name of --camera-size; give one of them")
        }
    }

    func run() async throws {
        if test { try await runTest() } else { try list() }
    }

    private func list() throws {
        let paths = devices.isEmpty ? CameraDevice.systemDevicePaths() : devices
        if paths.isEmpty {
            try StandardOutput.write("No cameras found (no /dev/video* devices).\n")
            return
        }
        var failures = 0
        for path in paths {
            let table: String
            do {
                table = DeviceTable.render(try CameraDevice.describe(path))
            } catch {
                failures += 1
                StandardError.write("error: \(error)")
                continue
            }
            try StandardOutput.write(table)
        }
        if failures > 0 { throw ExitCode.failure }
    }

    private func runTest() async throws {
        guard let device = devices.first ?? firstCaptureDevice() else {
            throw CameraCheckError.noCamera
        }
        let check = CameraCheck(
            device: device,
            options: CameraOptions(size: cameraSize ?? legacySize ?? CameraSize(width: 640, height: 480), frameRate: fps,
                                   stallTimeout: stallTimeout),
            frameCount: frames, saveFolder: saveFrames)
        let report = try await check.run { StandardError.write("warning: \($0)") }
        try StandardOutput.write(DeviceTable.summary(report) + "\n")
        if report.endedEarly { throw ExitCode.failure }
    }

    private func firstCaptureDevice() -> String? {
        CameraDevice.systemDevicePaths().first { (try? CameraDevice.describe($0))?.canCapture == true }
    }
}
