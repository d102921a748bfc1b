import Foundation

/// A binary PPM (P6, 8-bit) image read from disk, e.g. a frame saved by `clipseg devices --test --save-frames`.
public struct PPMImage: Sendable {
    public var width: Int
    public var height: Int
    /// RGB24 bytes, `width * height * 3`, top row first.
    public var pixels: [UInt8]

    public init(contentsOf url: URL) throws {
        let data = try [UInt8](Data(contentsOf: url))
        var position = 0
        func token() throws -> String {
            // Skip whitespace and comments, then read up to the next whitespace.
            while position < data.count {
                if data[position] == UInt8(ascii: "#") {
                    while position < data.count, data[position] != UInt8(ascii: "\n") { position += 1 }
                } else if [9, 10, 13, 32].contains(data[position]) {
                    position += 1
                } else { break }
            }
            let start = position
            while position < data.count, ![9, 10, 13, 32].contains(data[position]) { position += 1 }
            guard position > start else { throw PPMError("\(url.path): truncated header") }
            return String(decoding: data[start..<position], as: UTF8.self)
        }
        guard try token() == "P6" else { throw PPMError("\(url.path): not a binary PPM (P6)") }
        guard let width = Int(try token()), let height = Int(try token()), let maximum = Int(try token()),
              width > 0, height > 0, maximum == 255 else { throw PPMError("\(url.path): bad header") }
        position += 1  // the single whitespace byte after the maximum value
        let count = width * height * 3
        guard data.count - position == count else {
            throw PPMError("\(url.path): \(data.count - position) bytes of pixels, expected \(count)")
        }
        self.width = width
        self.height = height
        self.pixels = Array(data[position...])
    }
}

/// A PPM file that cannot be read.
public struct PPMError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
