import Foundation
import MediaIO
import TestSupport
import VideoFrames
#if canImport(Glibc)
import Glibc
#endif

/// Frames made in Swift for writer tests, and a way to point standard output elsewhere meanwhile.
enum SyntheticFrame {
    /// Red top-left, lime top-right, blue bottom-left, white bottom-right (split at width/2, height/2).
    static func quadrants(width: Int, height: Int, timestamp: Double = 0, index: Int = 0) -> RGBFrame {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let color: [UInt8]
                switch (x < width / 2, y < height / 2) {
                case (true, true): color = [255, 0, 0]
                case (false, true): color = [0, 255, 0]
                case (true, false): color = [0, 0, 255]
                case (false, false): color = [255, 255, 255]
                }
                let i = (y * width + x) * 3
                pixels[i] = color[0]; pixels[i + 1] = color[1]; pixels[i + 2] = color[2]
            }
        }
        return RGBFrame(width: width, height: height, pixels: pixels, timestamp: timestamp, index: index)
    }

    /// An alpha plane opaque on the left half and transparent on the right.
    static func leftHalfOpaque(width: Int, height: Int) -> [UInt8] {
        (0..<(width * height)).map { $0 % width < width / 2 ? 255 : 0 }
    }

    /// `count` quadrant frames at `rate` frames per second.
    static func clip(width: Int, height: Int, count: Int, rate: Double = 10) -> [RGBFrame] {
        let frame = quadrants(width: width, height: height)
        return (0..<count).map { RGBFrame(width: width, height: height, pixels: frame.pixels, timestamp: Double($0) / rate, index: $0) }
    }
}

/// Runs `body` with file descriptor 1 pointing at `descriptor`, then puts standard output back.
func withStandardOutput<T>(redirectedTo descriptor: Int32, _ body: () throws -> T) rethrows -> T {
    fflush(nil)
    let saved = dup(STDOUT_FILENO)
    dup2(descriptor, STDOUT_FILENO)
    defer {
        fflush(nil)
        dup2(saved, STDOUT_FILENO)
        close(saved)
    }
    return try body()
}
