import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The processor's marketing name as Linux reports it in `/proc/cpuinfo` (`model name`, e.g.
/// `AMD EPYC 9R14 96-Core Processor`), for version reports and benchmark notes.
public enum CPUModelName {
    /// The first `model name` in `/proc/cpuinfo`, or nil when there is none (another architecture's
    /// layout, or no `/proc`).
    public static var current: String? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) >= 0 {
            if let line, let name = value(ofModelNameLine: String(cString: line)) { return name }
        }
        return nil
    }

    /// `AMD EPYC` for the line `model name\t: AMD EPYC\n`, nil for any other line or an empty value.
    public static func value(ofModelNameLine line: String) -> String? {
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "model name" else { return nil }
        let value = parts[1].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}
