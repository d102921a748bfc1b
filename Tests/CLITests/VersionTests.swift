import CDNNL
import CFFmpeg
import COpenBLAS
import Foundation
import TestSupport
import XCTest

/// `clipseg --version` against what the libraries, the `ffmpeg` program, git and `/proc/cpuinfo` say.
final class VersionTests: XCTestCase {
    /// `--version`'s lines by key (`FFmpeg`, `OpenBLAS`, …), the first line under `""`.
    private func versionLines(environment: [String: String] = [:]) throws -> [String: String] {
        // No model anywhere: --version must not look for one.
        let home = try TemporaryDirectory(prefix: "clipseg-version-home")
        defer { home.remove() }
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["--version"],
                                          environment: ["HOME": home.url.path, "CLIPSEG_MODEL": "/nonexistent"]
                                              .merging(environment) { $1 }, timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText, "")
        var lines: [String: String] = [:]
        for (index, line) in result.stdoutText.split(separator: "\n").enumerated() {
            if index == 0 { lines[""] = String(line); continue }
            let parts = line.split(separator: ":", maxSplits: 1)
            XCTAssertEqual(parts.count, 2, "not a key: value line: \(line)")
            if parts.count == 2 { lines[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(Set(lines.keys), ["", "FFmpeg", "OpenBLAS", "oneDNN", "CPU", "CPU features", "kernels", "fp32", "bf16",
                                         "int8", "auto"],
                       result.stdoutText)
        return lines
    }

    private func git(_ arguments: [String]) throws -> ProcessResult {
        try ChildProcess.runTool("git", ["-C", TestPaths.repositoryRoot.path] + arguments)
    }

    func testFirstLineHasTheVersionAndTheCommitBuilt() throws {
        let first = try XCTUnwrap(try versionLines()[""])
        let checkout = FileManager.default.fileExists(atPath: TestPaths.repositoryRoot.appendingPathComponent(".git").path)
        let head = checkout ? try git(["rev-parse", "HEAD"]) : nil
        guard let head, head.status == 0 else {
            XCTAssertNotNil(first.wholeMatch(of: /clipseg \d+\.\d+\.\d+ \(commit unknown\)/), first)
            return
        }
        let match = try XCTUnwrap(first.wholeMatch(of: /clipseg \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,})(-dirty)?\)/), first)
        // The tests run on the tree the binary was just built from.
        XCTAssertTrue(head.stdoutText.hasPrefix(String(match.output.1)), "HEAD \(head.stdoutText) vs \(first)")
    }

    func testFFmpegVersionsAreTheLibrariesLoaded() throws {
        let line = try XCTUnwrap(try versionLines()["FFmpeg"])
        func dotted(_ packed: UInt32) -> String { "\(packed >> 16).\((packed >> 8) & 0xff).\(packed & 0xff)" }
        let release = String(cString: try XCTUnwrap(av_version_info()))
        XCTAssertEqual(line, "\(release) (libavcodec \(dotted(avcodec_version())), libavformat \(dotted(avformat_version())), "
                       + "libavutil \(dotted(avutil_version())), libswscale \(dotted(swscale_version())))")
        // The ffmpeg program of the same installation prints its run-time library versions the same way:
        // "libavcodec     59. 37.100 / 59. 37.100".
        let ffmpeg = try ChildProcess.runTool("ffmpeg", ["-hide_banner", "-version"])
        try XCTSkipIf(ffmpeg.status != 0, "no ffmpeg program")
        for library in ["libavcodec", "libavformat", "libavutil", "libswscale"] {
            let row = try XCTUnwrap(ffmpeg.stdoutText.split(separator: "\n").first { $0.hasPrefix(library + " ") })
            let loaded = try XCTUnwrap(row.split(separator: "/").last).replacingOccurrences(of: " ", with: "")
            XCTAssertTrue(line.contains("\(library) \(loaded)"), "\(row) vs \(line)")
        }
    }

    func testOpenBLASAndOneDNNAreTheLibrariesLoaded() throws {
        let lines = try versionLines()
        let openBLAS = try XCTUnwrap(lines["OpenBLAS"]), oneDNN = try XCTUnwrap(lines["oneDNN"])
        let configuration = String(cString: try XCTUnwrap(openblas_get_config()))  // "OpenBLAS 0.3.21 … Zen MAX_THREADS=64"
        let core = String(cString: try XCTUnwrap(openblas_get_corename()))
        let match = try XCTUnwrap(openBLAS.wholeMatch(of: /(.+) \(kernels in use: (\w+)\)/), openBLAS)
        if String(match.output.2).lowercased() == core.lowercased() {
            XCTAssertEqual("OpenBLAS " + match.output.1, configuration)
        } else {
            // clipseg re-executed itself for OpenBLAS's AVX-512 kernels (BLASKernelSelection): same build, other core.
            XCTAssertEqual(String(match.output.2), "SkylakeX", openBLAS)
            XCTAssertEqual(match.output.1.split(separator: " ").first, configuration.split(separator: " ").dropFirst().first)
        }
        let version = try XCTUnwrap(dnnl_version()).pointee
        XCTAssertTrue(oneDNN.hasPrefix("\(version.major).\(version.minor).\(version.patch) (instruction set: "), oneDNN)
    }

    /// The CPU's name and flags as Linux lists them.
    private func cpuinfo() throws -> (model: String?, flags: Set<String>) {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        func value(_ key: String) -> String? {
            text.split(separator: "\n").lazy.map { $0.split(separator: ":", maxSplits: 1) }
                .first { $0.count == 2 && $0[0].trimmingCharacters(in: .whitespaces) == key }
                .map { $0[1].trimmingCharacters(in: .whitespaces) }
        }
        return (value("model name"), Set((value("flags") ?? "").split(separator: " ").map(String.init)))
    }

    func testCPUAndItsFeaturesAreWhatLinuxLists() throws {
        let lines = try versionLines()
        let (model, flags) = try cpuinfo()
        XCTAssertTrue(try XCTUnwrap(lines["CPU"]).hasPrefix((model ?? "unknown") + " ("), lines["CPU"] ?? "")
        let named = [("avx512f", "AVX-512F"), ("avx512_bf16", "AVX512-BF16"), ("avx512_vnni", "AVX512-VNNI"),
                     ("avx2", "AVX2"), ("fma", "FMA"), ("avx_vnni", "AVX-VNNI")]
        let have = named.filter { flags.contains($0.0) }.map(\.1), lack = named.filter { !flags.contains($0.0) }.map(\.1)
        let expected = have.isEmpty ? "none of " + lack.joined(separator: ", ")
            : have.joined(separator: ", ") + (lack.isEmpty ? "" : " (not " + lack.joined(separator: ", ") + ")")
        XCTAssertEqual(lines["CPU features"], expected)
    }

    func testKernelPathsFollowTheCPU() throws {
        let (_, flags) = try cpuinfo()
        let family = flags.isSuperset(of: ["avx512f", "fma"]) ? "avx512" : flags.isSuperset(of: ["avx2", "fma"]) ? "avx2" : "portable"
        let nativeBF16 = flags.contains("avx512_bf16")
        let lines = try versionLines(environment: ["CLIPSEG_PORTABLE_KERNELS": "", "CLIPSEG_ISA": ""])
        let fp32 = try XCTUnwrap(lines["fp32"]), bf16 = try XCTUnwrap(lines["bf16"]), int8 = try XCTUnwrap(lines["int8"])
        XCTAssertEqual(lines["kernels"], "\(family) (CLIPSEG_ISA=avx512|avx2|portable; this CPU runs up to \(family))")
        let prefix = ["avx512": "AVX-512 kernels", "avx2": "AVX2 kernels", "portable": "OpenBLAS sgemm"][family]!
        XCTAssertTrue(fp32.hasPrefix(prefix), fp32)
        XCTAssertTrue(fp32.contains("OpenBLAS sgemm"), fp32)
        // bf16 only where oneDNN multiplies it natively; elsewhere refused with the reason.
        XCTAssertEqual(bf16.hasPrefix("oneDNN matmul"), nativeBF16, bf16)
        XCTAssertEqual(bf16.hasPrefix("refused (bf16 "), !nativeBF16, bf16)
        XCTAssertEqual(bf16.contains("fused AVX512-BF16 attention"), family == "avx512" && nativeBF16, bf16)
        XCTAssertTrue(int8.hasPrefix("oneDNN matmul ("), int8)
        XCTAssertEqual(int8.hasSuffix("with VNNI)"), flags.contains("avx512_vnni") || flags.contains("avx_vnni"), int8)
        // auto: the fastest offered, bf16 where native, else int8 wherever the int8 line offers it.
        let int8Offered = int8.hasPrefix("oneDNN matmul (")
        XCTAssertEqual(lines["auto"]?.hasPrefix(nativeBF16 ? "bf16 (" : int8Offered ? "int8 (" : "fp32 ("), true,
                       lines["auto"] ?? "")
        // CLIPSEG_ISA=portable, and its older spelling CLIPSEG_PORTABLE_KERNELS=1, turn our kernels off.
        for environment in [["CLIPSEG_ISA": "portable"], ["CLIPSEG_PORTABLE_KERNELS": "1", "CLIPSEG_ISA": ""]] {
            let portable = try versionLines(environment: environment)
            XCTAssertTrue(try XCTUnwrap(portable["fp32"]).hasPrefix("OpenBLAS sgemm"), "\(environment)")
            XCTAssertTrue(try XCTUnwrap(portable["fp32"]).hasSuffix("portable Swift element-wise passes"), "\(environment)")
            XCTAssertEqual(portable["kernels"]?.hasPrefix("portable ("), true, "\(environment)")
        }
    }

    /// A family above the CPU is never run: the best one the CPU has runs, and one line on standard error says so.
    func testAFamilyTheCPULacksIsLoweredWithOneLine() throws {
        let (_, flags) = try cpuinfo()
        guard !flags.contains("avx512f") else { throw XCTSkip("this CPU has AVX-512F: every family runs here") }
        let best = flags.isSuperset(of: ["avx2", "fma"]) ? "avx2" : "portable"
        let result = try ChildProcess.run(TestPaths.clipsegBinary, ["--version"], environment: ["CLIPSEG_ISA": "avx512"],
                                          timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stderrText,
                       "clipseg: CLIPSEG_ISA=avx512 needs AVX-512F and FMA, which this CPU lacks; using \(best)\n")
        XCTAssertTrue(result.stdoutText.contains("\nkernels: \(best) ("), result.stdoutText)
    }
}
