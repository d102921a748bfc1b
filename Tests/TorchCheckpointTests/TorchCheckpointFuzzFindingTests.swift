import Foundation
import TestSupport
@testable import TorchCheckpoint
import XCTest

/// Regressions for what `fuzz-torch-checkpoint` found (Tests/Fuzz/README.md, Findings).
final class TorchCheckpointFuzzFindingTests: XCTestCase {
    /// A member name with a newline made a two-line error; names are shown with control characters escaped.
    func testAMemberNameWithControlCharactersStaysOnOneLine() throws {
        let name = Array("a\nb".utf8)
        var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 26)   // an empty local header
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16) }
        let directoryOffset = bytes.count
        bytes += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le32(0) + le32(0) + le32(0) + le32(0)
        bytes += le16(name.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(999_999) + name
        let directorySize = bytes.count - directoryOffset
        bytes += le32(0x0605_4B50) + le16(0) + le16(0) + le16(1) + le16(1) + le32(directorySize) + le32(directoryOffset) + le16(0)
        let scratch = try TemporaryDirectory(prefix: "torch-control-name")
        defer { scratch.remove() }
        let file = scratch.path("named.bin")
        try Data(bytes).write(to: file)
        XCTAssertThrowsError(try TorchCheckpointFile(url: file)) { error in
            XCTAssertEqual("\(error)", "\(file.path): damaged checkpoint archive: member 'a\\u{a}b' has no local header at byte 999999")
        }
    }

    /// A dict put inside itself (SETITEM of the dict's own memo entry) made a reference cycle that outlived
    /// the reader; every dict and list the pickle built is emptied when loading ends.
    func testADictInsideItselfDoesNotOutliveTheReader() throws {
        // EMPTY_DICT, BINPUT 0, SHORT_BINUNICODE "k", BINGET 0, SETITEM, STOP
        let pickle: [UInt8] = [0x7D, 0x71, 0x00, 0x8C, 0x01, 0x6B, 0x68, 0x00, 0x73, 0x2E]
        weak var inner: PickleDict?
        try pickle.withUnsafeBytes { raw in
            var unpickler = RestrictedUnpickler(pickle: raw) { key, dtype, count in
                TorchStorage(key: key, dtype: dtype, count: count)
            }
            guard case .dict(let root) = try unpickler.load(), case .dict(let original)? = root.entries.first?.value else {
                return XCTFail("expected a dict holding a dict")
            }
            inner = original
            XCTAssertTrue(original.entries.isEmpty)
        }
        XCTAssertNil(inner)
    }
}
