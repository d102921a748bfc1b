import MediaIO
import VideoFrames
import XCTest

extension VideoFileSource {
    /// Every remaining frame, then closes the source (checking that a finished source stays finished).
    func readAll(file: StaticString = #filePath, line: UInt = #line) throws -> [RGBFrame] {
        defer { close() }
        var frames: [RGBFrame] = []
        while let frame = try nextFrame() { frames.append(frame) }
        XCTAssertNil(try nextFrame(), "a finished source stays finished", file: file, line: line)
        return frames
    }

    /// Every frame of `path`.
    static func readAll(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> [RGBFrame] {
        try VideoFileSource(path: path).readAll(file: file, line: line)
    }
}
