import Foundation

/// The fake V4L2 camera of `Tests/FakeCamera` (an LD_PRELOAD library; see fakecam.c for the details),
/// for tests that run a child process (the `clipseg` binary, or the test bundle itself) against a
/// camera: `try ChildProcess.run(TestPaths.clipsegBinary, ["devices", camera.path], environment: camera.environment())`.
///
/// Each setting maps to one `CLIPSEG_FAKECAM_*` variable; nil/false leaves the fake's default.
public struct FakeCamera: Sendable {
    /// Where the fake device answers (no file is created there).
    public var path: String
    /// Offered pixel formats, `YUYV` and/or `MJPG`, first = power-on format (default YUYV only).
    public var formats: [String]?
    /// Offered sizes, first = power-on size (default 640x480, 320x240, 1280x720).
    public var sizes: [String]?
    /// Offered whole frame rates at every size, first = power-on rate (default 30, 15).
    public var frameRates: [Int]?
    /// QUERYCAP card name (default "clipseg fake camera").
    public var card: String?
    /// Report a metadata node instead of a video capture device.
    public var notCapture = false
    /// EBUSY at open(), or at S_FMT/REQBUFS/STREAMON.
    public var busy: Busy?
    /// S_FMT fails with EINVAL, or sets the first listed size whatever was asked.
    public var refuseFormat: FormatRefusal?
    /// Unplug once this many frames have been produced.
    public var disconnectAfter: Int?
    /// After this many frames, produce none for `stallSeconds` (default 5) seconds.
    public var stallAfter: Int?
    public var stallSeconds: Double?
    /// Skip this percentage of frame periods (fixed pseudo-random pattern).
    public var dropPercent: Int?
    /// Log every device call on the child's stderr.
    public var trace = false

    public enum Busy: String, Sendable { case open, stream }
    public enum FormatRefusal: String, Sendable { case einval, size }

    public static let defaultPath = "/tmp/clipseg-fakecam0"

    /// Colours of the eight vertical bars, left to right, as libv4l2 converts them to RGB24: exact from
    /// YUYV, within 2 per channel from MJPG.
    public static let barColours: [[UInt8]] = [
        [255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0],
        [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0],
    ]

    public init(path: String = FakeCamera.defaultPath) {
        self.path = path
    }

    /// `LD_PRELOAD` plus the `CLIPSEG_FAKECAM_*` variables, to pass as a child's extra environment.
    public func environment() throws -> [String: String] {
        var env = ["LD_PRELOAD": try FakeCamera.library().path, "CLIPSEG_FAKECAM_PATH": path]
        if let formats { env["CLIPSEG_FAKECAM_FORMATS"] = formats.joined(separator: ",") }
        if let sizes { env["CLIPSEG_FAKECAM_SIZES"] = sizes.joined(separator: ",") }
        if let frameRates { env["CLIPSEG_FAKECAM_FPS"] = frameRates.map(String.init).joined(separator: ",") }
        if let card { env["CLIPSEG_FAKECAM_CARD"] = card }
        if notCapture { env["CLIPSEG_FAKECAM_NOT_CAPTURE"] = "1" }
        if let busy { env["CLIPSEG_FAKECAM_BUSY"] = busy.rawValue }
        if let refuseFormat { env["CLIPSEG_FAKECAM_REFUSE_FORMAT"] = refuseFormat.rawValue }
        if let disconnectAfter { env["CLIPSEG_FAKECAM_DISCONNECT_AFTER"] = String(disconnectAfter) }
        if let stallAfter { env["CLIPSEG_FAKECAM_STALL_AFTER"] = String(stallAfter) }
        if let stallSeconds { env["CLIPSEG_FAKECAM_STALL_SECONDS"] = String(stallSeconds) }
        if let dropPercent { env["CLIPSEG_FAKECAM_DROP_PERCENT"] = String(dropPercent) }
        if trace { env["CLIPSEG_FAKECAM_TRACE"] = "1" }
        return env
    }

    // MARK: - Reading the pattern back

    /// The frame counter (sequence number & 0xffff) drawn in rows 0...7 of an RGB24 frame: bit k is the
    /// 8-pixel block at x = 8k...8k+7, white when set. `pixels` is `width * height * 3` bytes.
    public static func counter(inRGB pixels: [UInt8], width: Int) -> Int {
        var value = 0
        for bit in 0..<16 where bit * 8 + 4 < width {
            let offset = (4 * width + bit * 8 + 4) * 3
            if pixels[offset] > 127 { value |= 1 << bit }
        }
        return value
    }

    /// The RGB of the pixel in the middle of bar `bar` (0...7) on row `height / 2`.
    public static func barPixel(_ bar: Int, inRGB pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        let x = bar * (width / 8) + width / 16
        let offset = ((height / 2) * width + x) * 3
        return Array(pixels[offset..<offset + 3])
    }

    // MARK: - Building the library

    /// The library: `.build/fakecam/libclipseg-fakecam.so` (from `make fakecam`) when it is newer than
    /// every source in Tests/FakeCamera, else compiled with `cc` once per test process into a temporary folder.
    public static func library() throws -> URL { try built.get() }

    private static let built: Result<URL, any Error> = Result { try build() }

    private static func build() throws -> URL {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("Tests/FakeCamera")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let sources = files.filter { $0.hasSuffix(".c") }.sorted().map { folder.appendingPathComponent($0) }
        let inputs = files.filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }.map { folder.appendingPathComponent($0) }
        guard !sources.isEmpty else { throw FakeCameraError("no C sources in \(folder.path)") }

        let prebuilt = TestPaths.repositoryRoot.appendingPathComponent(".build/fakecam/libclipseg-fakecam.so")
        if let built = modificationDate(prebuilt),
           inputs.allSatisfy({ (modificationDate($0) ?? .distantFuture) <= built }) {
            return prebuilt
        }
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("clipseg-fakecam-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let library = output.appendingPathComponent("libclipseg-fakecam.so")
        let result = try ChildProcess.runTool(
            "cc", ["-O2", "-Wall", "-shared", "-fPIC", "-o", library.path] + sources.map(\.path) + ["-ldl", "-lpthread"])
        guard result.status == 0 else { throw FakeCameraError("cc failed: \(result.stderrText)") }
        return library
    }

    private static func modificationDate(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}

/// The fake camera library could not be built.
public struct FakeCameraError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
