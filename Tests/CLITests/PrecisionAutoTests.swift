import Foundation
import ReducedPrecision
import TensorKit
import TestSupport
import XCTest
@testable import clipseg

/// `--precision auto` (the default) on this CPU, and explicit values this CPU does not run well: what is
/// chosen, the one line that says so, and the one-line refusal (exit 64) naming the option.
final class PrecisionAutoTests: XCTestCase {
    private let model = TestPaths.samples.appendingPathComponent("models/shapes").path

    private func bench(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try ChildProcess.run(TestPaths.clipsegBinary, ["bench", "--model", model, "--runs", "1", "--warmup", "0", "--json"]
                                 + arguments, environment: ["CLIPSEG_PRECISION": ""].merging(environment) { $1 },
                             timeout: 300)
    }

    /// What auto must pick here, from what the CPU and oneDNN report (not from the code under test).
    private var expectedAutomatic: String {
        if OneDNNRuntime.hasNativeBF16 { return "bf16" }
        if ReducedPrecisionFormat.int8.refusal == nil { return "int8" }
        return "fp32"
    }

    func testAutoIsTheDefaultAndSaysOnceWhatItRuns() throws {
        XCTAssertEqual(PrecisionChoice.auto.resolvedName, expectedAutomatic)
        for arguments in [[], ["--precision", "auto"]] {
            let result = try bench(arguments)
            XCTAssertEqual(result.status, 0, result.stderrText)
            let notes = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("precision: auto → ") }
            XCTAssertEqual(notes, ["precision: auto → \(expectedAutomatic) (\(PrecisionChoice.automaticReason))"],
                           result.stderrText)
            let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
            XCTAssertEqual(object["precision"] as? String, expectedAutomatic, line)
        }
        // An explicit value prints no note.
        let explicit = try bench(["--precision", "fp32"])
        XCTAssertEqual(explicit.status, 0, explicit.stderrText)
        XCTAssertFalse(explicit.stderrText.contains("precision: auto"), explicit.stderrText)
    }

    func testARefusedPrecisionIsOneLineNamingTheOptionAndOnlyOfferedAlternatives() throws {
        let refused = ReducedPrecisionFormat.allCases.filter { $0.refusal != nil }
        guard !refused.isEmpty else { throw XCTSkip("this CPU offers every precision (bf16 with AVX512-BF16, int8)") }
        for format in refused {
            let result = try bench(["--precision", format.rawValue])
            XCTAssertEqual(result.status, 64, result.stderrText)
            XCTAssertEqual(result.stderrText, "Error: --precision \(format.rawValue): \(format.refusal!)\n")
            XCTAssertEqual(result.stdoutText, "")
            // The way out it names is itself offered here.
            for other in ReducedPrecisionFormat.allCases where other != format {
                XCTAssertEqual(result.stderrText.contains("use \(other.rawValue)"), other.refusal == nil, result.stderrText)
            }
        }
    }

    func testTheEnvironmentVariableSetsTheDefaultAndIsChecked() throws {
        let pinned = try bench([], environment: ["CLIPSEG_PRECISION": "fp32"])
        XCTAssertEqual(pinned.status, 0, pinned.stderrText)
        XCTAssertFalse(pinned.stderrText.contains("precision: auto"), pinned.stderrText)
        XCTAssertTrue(pinned.stdoutText.contains("\"precision\":\"fp32\""), pinned.stdoutText)
        let wrong = try bench([], environment: ["CLIPSEG_PRECISION": "fp16"])
        XCTAssertEqual(wrong.status, 64)
        XCTAssertEqual(wrong.stderrText, "Error: CLIPSEG_PRECISION must be auto, fp32, bf16 or int8, got 'fp16'\n")
        // An explicit --precision wins over the variable.
        let explicit = try bench(["--precision", "auto"], environment: ["CLIPSEG_PRECISION": "fp32"])
        XCTAssertTrue(explicit.stdoutText.contains("\"precision\":\"\(expectedAutomatic)\""), explicit.stdoutText)
    }

    func testARunThatFailsBeforeLoadingSaysOnlyItsError() throws {
        let result = try bench(["--model", "/nonexistent-model-folder"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderrText.split(separator: "\n").count, 1, result.stderrText)
        XCTAssertFalse(result.stderrText.contains("precision: auto"), result.stderrText)
    }

    func testAutoNeverPicksARefusedFormat() {
        if let format = PrecisionChoice.automaticFormat { XCTAssertNil(format.refusal, format.rawValue) }
        // On this CPU: bf16 only where oneDNN multiplies it natively.
        XCTAssertEqual(ReducedPrecisionFormat.bf16.refusal == nil, OneDNNRuntime.hasNativeBF16)
    }
}
