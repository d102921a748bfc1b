import XCTest
@testable import clipseg

/// The terminal line `clipseg download` redraws: bar, percentage, bytes, rate since the file started (resumed
/// bytes not counted), time left.
final class DownloadProgressTests: XCTestCase {
    func testBarShowsPercentBytesRateAndTimeLeft() {
        XCTAssertEqual(DownloadProgress.bar(path: "model.safetensors", bytes: 253_100_000, total: 603_100_000, since: 0,
                                            elapsed: 20.5, width: 20),
                       "model.safetensors  [########------------]  41%  253.1 MB/603.1 MB  12.3 MB/s  ETA 0:28")
        // Resumed at 200 MB: the rate counts only what this run fetched.
        XCTAssertEqual(DownloadProgress.bar(path: "a", bytes: 300_000_000, total: 600_000_000, since: 200_000_000,
                                            elapsed: 10, width: 10),
                       "a  [#####-----]  50%  300.0 MB/600.0 MB  10.0 MB/s  ETA 0:30")
        XCTAssertEqual(DownloadProgress.bar(path: "a", bytes: 0, total: 10, since: 0, elapsed: 0, width: 4),
                       "a  [----]  0%  0 B/10 B  -- B/s  ETA --:--")
        XCTAssertEqual(DownloadProgress.bar(path: "x\u{1B}y", bytes: 1500, total: nil, since: 0, elapsed: 1),
                       "x\\u{1B}y  1.5 kB  1.5 kB/s", "no bar without a size; a file name cannot drive the terminal")
    }
}
