import XCTest
@testable import SafeTensors

/// Seeded random damage to a valid file: every outcome must be a valid layout or a
/// `SafeTensorsError`, never a crash or a hang, and an accepted layout must keep the format's promises.
final class MutatedHeaderTests: XCTestCase {
    /// SplitMix64: a small deterministic generator so a failure reproduces from its iteration number.
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func seedFile() -> [UInt8] {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        writer.add("a.weight", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        writer.add("a.bias", dtype: .f16, shape: [3], bytes: [0, 0x3C, 0, 0xC0, 0xFF, 0x7B])
        writer.add("ids", shape: [1, 2], int64s: [0, 1])
        writer.add("scalar", shape: [], floats: [0.5])
        writer.add("empty", dtype: .bf16, shape: [0, 4], bytes: [])
        return Array(writer.serialized())
    }

    /// Bytes that change a JSON header's meaning more often than random ones do.
    private let interesting = Array(#"{}[]",:-0123456789e.\ "#.utf8) + [0x00, 0x80, 0xC3, 0xFF]

    private func mutate(_ original: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1, 2: bytes[at] = interesting.randomElement(using: &random) ?? 0
            case 3: bytes.remove(at: at)
            case 4: bytes.insert(interesting.randomElement(using: &random) ?? 0, at: at)
            default: bytes.removeLast(Int.random(in: 0...min(16, bytes.count), using: &random))
            }
        }
        return bytes
    }

    func testDamagedFilesAreRefusedCleanlyOrValid() throws {
        let original = seedFile()
        var random = SplitMix64(state: 2024)
        var kindsSeen: Set<String> = []
        var accepted = 0
        for iteration in 0..<20_000 {
            let bytes = mutate(original, &random)
            do {
                let layout = try bytes.withUnsafeBytes { try SafeTensorsLayout(fileBytes: $0, file: "fuzz") }
                accepted += 1
                let dataSize = bytes.count - layout.dataStart
                var covered = 0
                for info in layout.header.tensors.values.sorted(by: { ($0.byteOffset, $0.byteCount) < ($1.byteOffset, $1.byteCount) }) {
                    XCTAssertEqual(info.byteOffset, covered, "iteration \(iteration)")
                    XCTAssertEqual(info.byteCount, info.shape.reduce(info.dtype.byteSize, *), "iteration \(iteration)")
                    covered = info.byteOffset + info.byteCount
                }
                XCTAssertEqual(covered, dataSize, "iteration \(iteration)")
            } catch let error as SafeTensorsError {
                XCTAssertFalse(error.description.contains { $0.isNewline }, "iteration \(iteration): \(error)")
                kindsSeen.insert(String(String(describing: error.kind).prefix { $0 != "(" }))
            }
        }
        // Unchanged-meaning edits (a digit in the data section, padding) are accepted; most are refused,
        // and in many different ways.
        XCTAssertGreaterThan(accepted, 100)
        XCTAssertGreaterThanOrEqual(kindsSeen.count, 12, "\(kindsSeen.sorted())")
    }
}
