import Foundation
import TestSupport
import XCTest

/// Debian's `chromium` (installed by `make test`), run headless as the preview tests' browser. Root needs
/// `--no-sandbox`; the D-Bus errors it prints are harmless.
enum HeadlessChromium {
    static let windowWidth = 1024, windowHeight = 640

    /// The browser's path; skips the test when it is not installed.
    static func path() throws -> String {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/local/bin/chromium"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("chromium is not installed (`make test` installs Debian's chromium); the browser test cannot run")
    }

    static let commonArguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                  "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                                  "--window-size=\(windowWidth),\(windowHeight)"]

    /// Opens `url` and saves what the window shows once the page has loaded (the MJPEG `<img>` holds up
    /// the load until its first picture), as pixels. Skips the test when the browser cannot start at all.
    static func screenshot(_ url: String, in folder: TemporaryDirectory, name: String) throws -> PPMImage {
        let png = folder.path("\(name).png"), ppm = folder.path("\(name).ppm")
        let profile = folder.path("chromium-profile-\(name)")
        let result = try ChildProcess.runTool(try path(), commonArguments + [
            "--user-data-dir=\(profile.path)", "--screenshot=\(png.path)", url,
        ], timeout: 60)
        guard FileManager.default.fileExists(atPath: png.path) else {
            if result.stderrText.contains("Running as root without --no-sandbox") || result.status == 127 {
                throw XCTSkip("chromium cannot start here: \(result.stderrText.suffix(300))")
            }
            throw SegmentTestKit.KitError("chromium wrote no screenshot (status \(result.status)): \(result.stderrText.suffix(600))")
        }
        let converted = try ChildProcess.runTool("ffmpeg", ["-v", "error", "-y", "-i", png.path, "-pix_fmt", "rgb24",
                                                            "-f", "image2", "-c:v", "ppm", ppm.path])
        guard converted.status == 0 else { throw SegmentTestKit.KitError("ffmpeg: \(converted.stderrText)") }
        return try PPMImage(contentsOf: ppm)
    }
}
