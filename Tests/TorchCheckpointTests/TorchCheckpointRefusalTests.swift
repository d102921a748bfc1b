import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// What the reader refuses: code in the pickle (never run), the pre-1.6 format, anything but a state dict,
/// and damaged archives (every truncation, and a byte changed anywhere, end in an error or a valid read).
final class TorchCheckpointRefusalTests: XCTestCase {
    private let folder = TorchCheckpointReadingTests.folder

    private func kind(of file: String) -> TorchCheckpointError.Kind? {
        do {
            _ = try TorchCheckpointFile(url: folder.appendingPathComponent(file))
            return nil
        } catch {
            return (error as? TorchCheckpointError)?.kind
        }
    }

    func testAPickleThatWouldRunACommandIsRefusedAndNothingRuns() throws {
        let marker = "/tmp/clipseg-torch-checkpoint-was-executed"
        try? FileManager.default.removeItem(atPath: marker)
        XCTAssertEqual(kind(of: "os-system.bin"), .refusedGlobal("posix.system"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
        XCTAssertThrowsError(try TorchCheckpointFile(url: folder.appendingPathComponent("os-system.bin"))) { error in
            XCTAssertTrue("\(error)".hasSuffix("os-system.bin: refused pickle global 'posix.system' (only tensors and "
                                               + "OrderedDicts are read; nothing is executed)"), "\(error)")
        }
    }

    func testTheLegacyFormatAndOtherShapesAreRefusedInOneLine() {
        XCTAssertEqual(kind(of: "legacy.bin"), .legacyFormat)
        XCTAssertEqual(kind(of: "not-a-dict.bin"), .notAStateDict("the file holds a list, not a dict"))
        XCTAssertEqual(kind(of: "views.safetensors"), .legacyFormat)
        XCTAssertEqual(kind(of: "missing.bin").map { if case .cannotOpen = $0 { return true } else { return false } }, true)
    }

    /// Every prefix of a real checkpoint (the archive's directory is at the end, so all are damaged) is refused.
    func testEveryTruncationIsRefused() throws {
        let bytes = try Data(contentsOf: folder.appendingPathComponent("views.bin"))
        let scratch = try TemporaryDirectory(prefix: "torch-truncated")
        defer { scratch.remove() }
        let file = scratch.path("cut.bin")
        for length in stride(from: 0, to: bytes.count, by: 7) {
            try bytes.prefix(length).write(to: file)
            XCTAssertThrowsError(try TorchCheckpointFile(url: file), "\(length) bytes")
        }
    }

    /// One byte changed anywhere: the reader either refuses the file or reads tensors of the right sizes;
    /// it never traps (a trap would end the test run).
    func testAChangedByteAnywhereIsRefusedOrReadSafely() throws {
        let original = try Data(contentsOf: folder.appendingPathComponent("views.bin"))
        let scratch = try TemporaryDirectory(prefix: "torch-mutated")
        defer { scratch.remove() }
        let file = scratch.path("changed.bin")
        var refused = 0
        for position in 0..<original.count {
            var bytes = original
            bytes[position] ^= position % 2 == 0 ? 0xFF : 0x01
            try bytes.write(to: file)
            guard let checkpoint = try? TorchCheckpointFile(url: file) else { refused += 1; continue }
            for info in checkpoint.tensors {
                let count = info.dtype.isConvertibleToFloat ? (try? checkpoint.floats(info.name))?.count
                                                            : (try? checkpoint.int64s(info.name))?.count
                XCTAssertEqual(count ?? info.elementCount, info.elementCount, "byte \(position): \(info.name)")
            }
        }
        XCTAssertGreaterThan(refused, 0)
    }
}
