import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Running a program without root's privileges, for tests of permission errors that root never meets
/// (root reads and writes files whatever their mode). CI runs as root, so these tests run their program as
/// `nobody` through util-linux's `setpriv`, else `runuser`.
public enum UnprivilegedRun {
    /// The executable and arguments that run `executable arguments` unprivileged: unchanged when this
    /// process is not root; wrapped in `setpriv`/`runuser` as nobody when it is. Throws `XCTSkip`, saying
    /// why, when neither can run `executable` as nobody here.
    public static func command(_ executable: URL, _ arguments: [String]) throws -> (executable: URL, arguments: [String]) {
        guard geteuid() == 0 else { return (executable, arguments) }
        var reasons: [String] = []
        for (tool, prefix) in wrappers where FileManager.default.isExecutableFile(atPath: tool) {
            // The probe: can nobody run through this wrapper, and reach the executable through every folder?
            let probe = try ChildProcess.run(URL(fileURLWithPath: tool), prefix + ["/usr/bin/test", "-x", executable.path],
                                             timeout: 30)
            if probe.status == 0 { return (URL(fileURLWithPath: tool), prefix + [executable.path] + arguments) }
            let said = probe.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            reasons.append("\(tool) \(said.isEmpty ? "cannot reach \(executable.path) as nobody" : said)")
        }
        throw XCTSkip("running as root and cannot run as nobody: "
                      + (reasons.isEmpty ? "neither /usr/bin/setpriv nor /usr/sbin/runuser is installed" : reasons.joined(separator: "; ")))
    }

    private static let wrappers: [(String, [String])] = [
        ("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]),
        ("/usr/sbin/runuser", ["-u", "nobody", "--"]),
    ]
}
