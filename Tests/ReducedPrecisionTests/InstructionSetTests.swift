import Foundation
import ReducedPrecision
import TestSupport
import XCTest

/// Nothing may assume AVX512-BF16 or VNNI: the layers' tests are re-run in child processes with
/// oneDNN limited (`DNNL_MAX_CPU_ISA`) to AVX-512 without BF16/VNNI and to AVX2, where oneDNN
/// picks other kernels (bf16 converted in software; int8 without VNNI, 7-bit weights; no bf16 at
/// all on AVX2, which must be refused with a clear error).
final class InstructionSetTests: XCTestCase {
    /// `/proc/cpuinfo` flags of the first processor.
    private static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? [])
    }()

    func testKernelsMatchWhatTheCPUOffers() throws {
        let flags = Self.cpuFlags
        let isa = OneDNNRuntime.instructionSet
        let limited = ProcessInfo.processInfo.environment["DNNL_MAX_CPU_ISA"]
        let context = try ReducedPrecisionContext()
        var kernels: [String] = []
        for format in ReducedPrecisionFormat.available {
            let layer = try PackedLinearLayer(pytorchWeight: [Float](repeating: 0.5, count: 768 * 768), bias: nil,
                                              inputSize: 768, outputSize: 768, format: format)
            kernels.append("\(format.rawValue) \(try layer.implementationName(rows: 485, context: context))")
        }
        let report = "oneDNN \(OneDNNRuntime.version) instruction set: \(isa) (DNNL_MAX_CPU_ISA=\(limited ?? "unset")); "
            + "cpuinfo avx512_bf16=\(flags.contains("avx512_bf16")) avx512_vnni=\(flags.contains("avx512_vnni")) "
            + "avx512f=\(flags.contains("avx512f")); kernels at 485 rows: \(kernels.joined(separator: ", "))"
        print(report)

        XCTAssertTrue(ReducedPrecisionFormat.int8.isAvailable, report)
        XCTAssertEqual(ReducedPrecisionFormat.bf16.isAvailable, isa.hasPrefix("avx512"), report)
        if !flags.contains("avx512_bf16") { XCTAssertNotEqual(isa, "avx512_core_bf16", report) }
        if !flags.contains("avx512_vnni") { XCTAssertFalse(OneDNNRuntime.hasVNNI, report) }
        if isa == "avx512_core_bf16" {
            XCTAssertTrue(kernels.contains("bf16 brg:avx512_core_bf16"), report)
            XCTAssertTrue(kernels.contains("int8 brg:avx512_core_vnni"), report)
        }
        // No format may fall back to oneDNN's naive reference loops.
        XCTAssertFalse(kernels.contains { $0.contains("ref") }, report)
    }

    func testLayersStayCorrectWithoutBF16AndVNNIAndWithoutAVX512() throws {
        // Only from the top-level run: the children run the layer tests, not this one again.
        if let limit = ProcessInfo.processInfo.environment["DNNL_MAX_CPU_ISA"] {
            throw XCTSkip("runs the children itself; not again inside the DNNL_MAX_CPU_ISA=\(limit) child")
        }
        let flags = Self.cpuFlags
        var limits = ["AVX2"]
        if flags.contains("avx512f") && flags.contains("avx512bw") { limits.insert("AVX512_CORE", at: 0) }
        let testBundle = try Self.testBundleExecutable()
        for limit in limits {
            let result = try ChildProcess.run(
                testBundle, ["ReducedPrecisionTests.PackedLinearLayerAccuracyTests,ReducedPrecisionTests.PackedLinearLayerCallTests,"
                              + "ReducedPrecisionTests.PackedLinearLayerBF16ActivationTests,ReducedPrecisionTests.HeadBlockAttentionTests,"
                              + "ReducedPrecisionTests.BF16AttentionProductsTests,ReducedPrecisionTests.OneDNNSoftmaxTests,"
                              + "ReducedPrecisionTests.InstructionSetTests/testKernelsMatchWhatTheCPUOffers"],
                environment: ["DNNL_MAX_CPU_ISA": limit], timeout: 600)
            let output = result.stdoutText + result.stderrText
            let summary = output.split(separator: "\n").filter { $0.contains("instruction set:") || $0.contains("Executed") }
            print("DNNL_MAX_CPU_ISA=\(limit):\n" + summary.joined(separator: "\n"))
            XCTAssertEqual(result.status, 0, "DNNL_MAX_CPU_ISA=\(limit) run failed:\n\(output.suffix(4000))")
            XCTAssertTrue(output.contains("instruction set: \(limit.lowercased())"), "limit not in effect:\n\(output.suffix(2000))")
            XCTAssertTrue(output.contains(" with 0 failures"), output.suffix(2000).description)
        }
    }

    /// The XCTest executable running these tests (`TestPaths.testBundleExecutable`).
    static func testBundleExecutable() throws -> URL { try TestPaths.testBundleExecutable() }
}
