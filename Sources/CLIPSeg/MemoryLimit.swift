import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many more bytes this process may allocate before the system refuses, read from the three places
/// Linux enforces or reports it:
/// - its memory cgroup (v2 `memory.max` minus `memory.current`, v1 `memory.limit_in_bytes` minus
///   `memory.usage_in_bytes`, at the process's own cgroup and every ancestor, the smallest headroom counting;
///   "max" or v1's near-2⁶³ value mean no limit). Inactive page cache (`inactive_file` of `memory.stat`) is not
///   counted as used: the kernel reclaims it before it refuses an allocation;
/// - its address-space limit (`RLIMIT_AS`, `ulimit -v`) minus its current virtual size (`VmSize` of
///   /proc/self/status): every mapping counts against it, touched or not;
/// - the memory the kernel says is available to new work (`MemAvailable` of /proc/meminfo).
///
/// The first and last limit resident memory (`resident`), the second address space (`addressSpace`); nil
/// where nothing limits it or nothing could be read. All figures are bytes. This type knows nothing of the
/// model: callers compare its headroom with their own estimates (`PeakMemoryEstimate` for CLIPSeg runs).
/// The files are read through `readText`, so tests can give it any text.
public struct MemoryLimit: Sendable, Equatable {
    /// One limit's headroom.
    public struct Headroom: Sendable, Equatable {
        /// Bytes that may still be allocated under this limit (0 when already over it).
        public var bytes: Int
        /// What imposes it, for messages: `cgroup memory.max`, `ulimit -v`, `MemAvailable`.
        public var source: String

        public init(bytes: Int, source: String) {
            self.bytes = max(0, bytes)
            self.source = source
        }
    }

    /// Headroom for resident memory: the smaller of the cgroup's and `MemAvailable`'s.
    public var resident: Headroom?
    /// Headroom for address space: `RLIMIT_AS` minus the current virtual size.
    public var addressSpace: Headroom?

    public init(resident: Headroom?, addressSpace: Headroom?) {
        self.resident = resident
        self.addressSpace = addressSpace
    }

    /// True when `residentBytes` more resident memory and `addressSpaceBytes` more address space both fit.
    public func admits(residentBytes: Int, addressSpaceBytes: Int) -> Bool {
        residentBytes <= (resident?.bytes ?? .max) && addressSpaceBytes <= (addressSpace?.bytes ?? .max)
    }

    /// This process's limits now.
    public static func current() -> MemoryLimit {
        read(addressSpaceLimit: softLimit(RLIMIT_AS)) { path in
            try? String(contentsOfFile: path, encoding: .utf8)
        }
    }

    /// The limits as the given files say: `readText(path)` returns a file's text, or nil when it cannot be
    /// read (paths asked for: /proc/self/cgroup, /proc/meminfo, /proc/self/status, and under
    /// /sys/fs/cgroup the cgroup's `memory.max`, `memory.current`, `memory.stat` or their v1 names).
    /// `addressSpaceLimit` is `RLIMIT_AS`'s soft limit in bytes, nil when unlimited.
    public static func read(addressSpaceLimit: Int?, readText: (String) -> String?) -> MemoryLimit {
        var residents: [Headroom] = []
        if let cgroup = cgroupHeadroom(readText) { residents.append(cgroup) }
        if let available = readText("/proc/meminfo").flatMap({ kibibytes(named: "MemAvailable", in: $0) }) {
            residents.append(Headroom(bytes: available, source: "MemAvailable"))
        }
        var addressSpace: Headroom?
        if let addressSpaceLimit {
            let used = readText("/proc/self/status").flatMap { kibibytes(named: "VmSize", in: $0) } ?? 0
            addressSpace = Headroom(bytes: addressSpaceLimit - used, source: "ulimit -v")
        }
        return MemoryLimit(resident: residents.min { $0.bytes < $1.bytes }, addressSpace: addressSpace)
    }

    /// A resource's soft limit (`getrlimit`), nil when unlimited or unreadable.
    static func softLimit(_ resource: __rlimit_resource) -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
              limit.rlim_cur < rlim_t(Int.max) else { return nil }
        return Int(limit.rlim_cur)
    }

    /// `NAME:   1234 kB` from /proc/meminfo or /proc/self/status, in bytes.
    static func kibibytes(named name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let value = fields.first.flatMap({ Int($0) }) else { return nil }
            return value.multipliedReportingOverflow(by: 1024).overflow ? nil : value * 1024
        }
        return nil
    }

    /// The smallest headroom over the process's memory cgroup and its ancestors (v2 first, else v1).
    static func cgroupHeadroom(_ readText: (String) -> String?) -> Headroom? {
        guard let membership = readText("/proc/self/cgroup") else { return nil }
        var v2Path: String?, v1Path: String?
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty { v2Path = String(parts[2]) }
            if parts[1].split(separator: ",").contains("memory") { v1Path = String(parts[2]) }
        }
        let layouts: [(path: String?, root: String, limit: String, usage: String, inactive: String, source: String)] = [
            (v2Path, "/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file", "cgroup memory.max"),
            (v1Path, "/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file",
             "cgroup memory.limit_in_bytes"),
        ]
        for layout in layouts {
            guard let path = layout.path else { continue }
            var smallest: Int?
            var readAny = false
            for folder in ancestors(of: path).map({ layout.root + $0 }) {
                guard let limitText = readText(folder + "/" + layout.limit) else { continue }
                readAny = true
                guard let limit = limitBytes(limitText),
                      let usage = readText(folder + "/" + layout.usage).flatMap(number) else { continue }
                let inactive = readText(folder + "/memory.stat").flatMap { statValue(layout.inactive, in: $0) } ?? 0
                let headroom = limit - max(0, usage - inactive)
                smallest = min(smallest ?? headroom, headroom)
            }
            if let smallest { return Headroom(bytes: smallest, source: layout.source) }
            if readAny { return nil }  // this hierarchy is there and sets no limit
        }
        return nil
    }

    /// `/a/b` → [`/a/b`, `/a`, ``] (the cgroup, then each parent up to the mount's root).
    static func ancestors(of path: String) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        var folders: [String] = []
        while true {
            folders.append(components.isEmpty ? "" : "/" + components.joined(separator: "/"))
            if components.isEmpty { return folders }
            components.removeLast()
        }
    }

    /// A limit file's value in bytes; nil for "max" and for v1's "no limit" (anything from 2⁶² up).
    static func limitBytes(_ text: String) -> Int? {
        guard let value = number(text), value < 1 << 62 else { return nil }
        return value
    }

    private static func number(_ text: String) -> Int? {
        Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `NAME VALUE` from a cgroup `memory.stat`.
    private static func statValue(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 2 && fields[0] == name { return Int(fields[1]) }
        }
        return nil
    }
}
