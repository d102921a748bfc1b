/// A sink for one 8-bit mask per frame (0 = background … 255 = foreground), all of one size:
/// `Y4MMaskWriter`, `RawGrayMaskWriter`, `PNGMaskDirectoryWriter`.
///
/// Masks are `width * height` bytes, row-major, top row first. `finish()` is idempotent and safe on
/// error paths. A reader closing standard output surfaces as `MediaError.outputClosed`. Writers are
/// blocking and used by one thread at a time.
public protocol MaskStreamWriter: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Appends one mask.
    func write(_ mask: ArraySlice<UInt8>) throws
    /// Flushes and closes the output.
    func finish() throws
}

extension MaskStreamWriter {
    /// Appends one mask held in a whole array.
    public func write(_ mask: [UInt8]) throws { try write(mask[...]) }

    /// The error for a mask of the wrong length, naming `output`.
    func checkLength(_ mask: ArraySlice<UInt8>, output: String) throws {
        guard mask.count == width * height else {
            throw MediaError.invalidFrame(output, reason: "a \(width)x\(height) mask needs \(width * height) bytes, got \(mask.count)")
        }
    }
}
