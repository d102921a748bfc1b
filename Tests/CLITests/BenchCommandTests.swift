import Foundation
import TestSupport
import XCTest

/// `clipseg bench` on the small sample model: the JSON `Benchmarks/compare.py` reads, the table, and the
/// start-up relaunch `--precision bf16|int8` needs (idle OpenMP / OpenBLAS threads set to sleep).
final class BenchCommandTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes").path
    /// The two wait-policy variables emptied: the program must see them as unset.
    private let unsetWaitPolicy = ["OMP_WAIT_POLICY": "", "OPENBLAS_THREAD_TIMEOUT": ""]

    private func bench(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["bench", "--model", model, "--runs", "1", "--warmup", "0"] + arguments,
                             environment: unsetWaitPolicy, timeout: 300)
    }

    func testJSONHasEveryStageAndThePrecision() throws {
        for precision in ["fp32", "int8"] {
            let result = try bench(["--json", "--prompts", "2", "--threads", "2", "--precision", precision])
            XCTAssertEqual(result.status, 0, result.stderrText)
            let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(object["precision"] as? String, precision)
            XCTAssertTrue(["avx512", "avx2", "portable"].contains(object["isa"] as? String ?? ""), line)
            XCTAssertEqual(object["prompts"] as? Int, 2)
            XCTAssertEqual(object["threads"] as? Int, 2)
            for key in ["text_ms", "vision_ms", "decoder_ms", "total_ms"] {
                let value = try XCTUnwrap(object[key] as? Double, "\(precision) \(key) in \(line)")
                XCTAssertGreaterThan(value, 0, "\(precision) \(key)")
            }
        }
    }

    func testReducedPrecisionRunsWithSleepingIdleThreads() throws {
        let reduced = try bench(["--precision", "int8"])
        XCTAssertEqual(reduced.status, 0, reduced.stderrText)
        XCTAssertTrue(reduced.stdoutText.contains("int8, ") && reduced.stdoutText.contains(" kernels; median of 1 runs"),
                      reduced.stdoutText)
        XCTAssertTrue(reduced.stdoutText.contains("idle math threads: OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4"),
                      reduced.stdoutText)
        // float32 needs no relaunch for them, and a user's own values are kept.
        let plain = try bench(["--precision", "fp32"])
        XCTAssertEqual(plain.status, 0, plain.stderrText)
        XCTAssertTrue(plain.stdoutText.contains("idle math threads: OMP_WAIT_POLICY unset OPENBLAS_THREAD_TIMEOUT unset"),
                      plain.stdoutText)
        let own = try ChildProcess.run(TestPaths.clipsegBinary, ["bench", "--model", model, "--runs", "1", "--warmup", "0",
                                                                 "--precision", "int8"],
                                       environment: ["OMP_WAIT_POLICY": "ACTIVE", "OPENBLAS_THREAD_TIMEOUT": ""], timeout: 300)
        XCTAssertEqual(own.status, 0, own.stderrText)
        XCTAssertTrue(own.stdoutText.contains("idle math threads: OMP_WAIT_POLICY=ACTIVE OPENBLAS_THREAD_TIMEOUT=4"),
                      own.stdoutText)
    }

    /// `CLIPSEG_ISA` forces the kernel family a bench runs, and the JSON says which ran (for compare.sh's rows).
    func testForcedFamiliesAreReportedAsTheyRan() throws {
        let supported = ["avx512", "avx2", "portable"].filter { isa in
            let result = try? ChildProcess.run(TestPaths.clipsegBinary, ["--version"], environment: ["CLIPSEG_ISA": isa], timeout: 60)
            return result?.stderrText.isEmpty ?? false
        }
        XCTAssertTrue(supported.contains("portable"))
        for isa in supported {
            let result = try ChildProcess.run(TestPaths.clipsegBinary, ["bench", "--model", model, "--runs", "1", "--warmup", "0",
                                                                        "--json", "--precision", "fp32"],
                                              environment: unsetWaitPolicy.merging(["CLIPSEG_ISA": isa]) { $1 }, timeout: 300)
            XCTAssertEqual(result.status, 0, result.stderrText)
            let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(object["isa"] as? String, isa, line)
        }
    }
}
