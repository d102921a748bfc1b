import Foundation
import TestSupport
import XCTest
@testable import TensorKit
#if canImport(Glibc)
import Glibc
#endif

/// The OpenBLAS kernel choice and the one-time relaunch that fixes it (see `BLASKernelSelection`).
final class BLASKernelSelectionTests: XCTestCase {
    private static let dynamic = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"

    func testRelaunchOnlyFromAVX2KernelsOnAnAVX512CPUWithNothingChosen() {
        func decide(_ core: String, _ configuration: String = BLASKernelSelectionTests.dynamic, avx512: Bool = true,
                    environment: [String: String] = [:]) -> String? {
            BLASKernelSelection.relaunchCoreType(coreName: core, configuration: configuration,
                                                 cpuHasAVX512: avx512, environment: environment)
        }
        XCTAssertEqual(decide("Haswell"), "SKYLAKEX")
        XCTAssertEqual(decide("Zen"), "SKYLAKEX")
        XCTAssertNil(decide("Haswell", avx512: false))
        XCTAssertNil(decide("SkylakeX"))
        XCTAssertNil(decide("Cooperlake"))
        XCTAssertNil(decide("Haswell", "OpenBLAS 0.3.21 NO_LAPACKE NO_AFFINITY HASWELL MAX_THREADS=64"))
        XCTAssertNil(decide("Haswell", environment: ["OPENBLAS_CORETYPE": "HASWELL"]), "the user's choice wins")
        XCTAssertNil(decide("Haswell", environment: ["CLIPSEG_BLAS_RELAUNCHED": "1"]), "a relaunched process never relaunches")
    }

    func testCoreNameIsOpenBLASsAndMatchesAForcedCoreType() {
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        XCTAssertFalse(BLASKernelSelection.coreName.isEmpty)
        XCTAssertTrue(BLASKernelSelection.configuration.hasPrefix("OpenBLAS "), BLASKernelSelection.configuration)
        if let forced, BLASKernelSelection.configuration.contains("DYNAMIC_ARCH") {
            XCTAssertEqual(BLASKernelSelection.coreName.lowercased(), forced.lowercased())
        }
    }

    func testNoteOnlyWhenTheEnvironmentForcesAVX2KernelsOnAnAVX512CPU() {
        func note(_ core: String, avx512: Bool = true, _ environment: [String: String]) -> String? {
            BLASKernelSelection.forcedSlowerKernelsNote(coreName: core, configuration: Self.dynamic,
                                                        cpuHasAVX512: avx512, environment: environment)
        }
        XCTAssertEqual(note("Haswell", ["OPENBLAS_CORETYPE": "Haswell"]),
                       "OPENBLAS_CORETYPE=Haswell makes OpenBLAS use its Haswell (AVX2) kernels; this CPU has AVX-512: "
                       + "unset OPENBLAS_CORETYPE for about twice the float32 speed")
        XCTAssertNil(note("Haswell", [:]), "nothing forced: the relaunch handles it")
        XCTAssertNil(note("Haswell", avx512: false, ["OPENBLAS_CORETYPE": "Haswell"]))
        XCTAssertNil(note("SkylakeX", ["OPENBLAS_CORETYPE": "SKYLAKEX"]))
    }

    /// Without `OPENBLAS_CORETYPE` a child relaunches exactly when `relaunchCoreType` says so for the
    /// kernels OpenBLAS picks on its own here.
    func testAutomaticRelaunchFollowsTheDecision() throws {
        let unforced = try runProbe(mode: "report", environment: [], stdin: "")
        let plain = try XCTUnwrap(unforced.reports.first, unforced.output)
        XCTAssertEqual(plain["relaunched"], "false", unforced.output)
        let automatic = try runProbe(mode: "auto", environment: [], stdin: "x")
        let report = try XCTUnwrap(automatic.reports.first, automatic.output)
        let expected = BLASKernelSelection.relaunchCoreType(
            coreName: plain["core"] ?? "", configuration: BLASKernelSelection.configuration,
            cpuHasAVX512: BLASKernelSelection.cpuHasAVX512, environment: [:])
        print("OpenBLAS picks \(plain["core"] ?? "?") here unforced; relaunch: \(expected ?? "none")")
        XCTAssertEqual(report["relaunched"], expected == nil ? "false" : "true", automatic.output)
        XCTAssertEqual(report["core"], expected == nil ? plain["core"] : "SkylakeX", automatic.output)
    }

    /// A child started on the Haswell kernels relaunches itself onto SkylakeX: same process id (so
    /// signals sent to it reach the new image), stdin pipe intact, marker set, and only once.
    func testRelaunchKeepsProcessIDAndStdinAndSwitchesKernels() throws {
        let input = "line one\nline two: stdin must reach the relaunched image untouched\n"
        let run = try runProbe(mode: "force", environment: ["OPENBLAS_CORETYPE=HASWELL"], stdin: input)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(run.startPIDs.count, 2, "one start line per image:\n\(run.output)")
        XCTAssertEqual(run.reports.count, 1, "only the relaunched image reports:\n\(run.output)")
        let report = try XCTUnwrap(run.reports.first, run.output)
        XCTAssertEqual(Set(run.startPIDs), [report["pid"] ?? "?"], run.output)
        XCTAssertEqual(report["stdin"], Data(input.utf8).base64EncodedString(), run.output)
        XCTAssertEqual(report["relaunched"], "true", run.output)
        XCTAssertEqual(report["coretype"], "SKYLAKEX", run.output)
        if BLASKernelSelection.cpuHasAVX512 && BLASKernelSelection.configuration.contains("DYNAMIC_ARCH") {
            XCTAssertEqual(report["core"], "SkylakeX", run.output)
        }
    }

    /// Child-process entry point of the tests above (skipped in a normal run).
    func testProbe() throws {
        guard let mode = ProcessInfo.processInfo.environment["CLIPSEG_BLAS_PROBE"] else {
            throw XCTSkip("runs only as the child of the relaunch tests")
        }
        // Unbuffered, so the line survives the exec that may follow.
        FileHandle.standardError.write(Data("probe-start pid=\(getpid())\n".utf8))
        switch mode {
        case "auto": BLASKernelSelection.relaunchWithFastestKernelsIfNeeded()
        case "force":
            BLASKernelSelection.relaunch(coreType: "SKYLAKEX")
            // A relaunched image must not exec again; a failed exec would fall through to here.
            if !BLASKernelSelection.wasRelaunched { FileHandle.standardError.write(Data("probe-exec-failed\n".utf8)) }
            BLASKernelSelection.relaunch(coreType: "SKYLAKEX")
        default: break
        }
        let stdin = FileHandle.standardInput.readDataToEndOfFile()
        let fields = ["pid=\(getpid())", "core=\(BLASKernelSelection.coreName)",
                      "relaunched=\(BLASKernelSelection.wasRelaunched)",
                      "coretype=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "-")",
                      "stdin=\(stdin.base64EncodedString())"]
        FileHandle.standardError.write(Data("probe-report \(fields.joined(separator: " "))\n".utf8))
    }

    private struct ProbeRun {
        var status: Int32
        var output: String
        var startPIDs: [String]
        var reports: [[String: String]]
    }

    /// Runs `testProbe` in a child test process with `OPENBLAS_CORETYPE` and the relaunch marker
    /// cleared (as a user's shell would start it), then `environment` (`NAME=value`) added.
    private func runProbe(mode: String, environment: [String], stdin: String) throws -> ProbeRun {
        let bundle = try Self.testBundleExecutable()
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["-u", "OPENBLAS_CORETYPE", "-u", "CLIPSEG_BLAS_RELAUNCHED", "CLIPSEG_BLAS_PROBE=\(mode)"]
            + environment + [bundle.path, "TensorKitTests.BLASKernelSelectionTests/testProbe"],
            stdin: Data(stdin.utf8), timeout: 120)
        let lines = result.stderrText.split(separator: "\n")
        func fields(_ line: Substring) -> [String: String] {
            var map: [String: String] = [:]
            for field in line.split(separator: " ").dropFirst() {
                let parts = field.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { map[String(parts[0])] = String(parts[1]) }
            }
            return map
        }
        return ProbeRun(status: result.status, output: result.stdoutText + result.stderrText,
                        startPIDs: lines.filter { $0.hasPrefix("probe-start ") }.compactMap { fields($0)["pid"] },
                        reports: lines.filter { $0.hasPrefix("probe-report ") }.map(fields))
    }

    /// The XCTest executable running these tests (`TestPaths.testBundleExecutable`).
    private static func testBundleExecutable() throws -> URL { try TestPaths.testBundleExecutable() }
}
