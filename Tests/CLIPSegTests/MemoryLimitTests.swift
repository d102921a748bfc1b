@testable import CLIPSeg
import XCTest

/// `MemoryLimit` reads the cgroup (v2 and v1, the process's own and its ancestors), `MemAvailable` and
/// `RLIMIT_AS` minus `VmSize` from text it is given; these tests hand it the files of made-up machines.
final class MemoryLimitTests: XCTestCase {
    private let gib = 1 << 30

    private func limit(_ files: [String: String], addressSpace: Int? = nil) -> MemoryLimit {
        MemoryLimit.read(addressSpaceLimit: addressSpace) { files[$0] }
    }

    private let meminfo = """
        MemTotal:       24683784 kB
        MemFree:        21000000 kB
        MemAvailable:   23455464 kB
        Buffers:          120000 kB
        """

    func testMemAvailableAloneWhenNoCgroupLimits() {
        let result = limit(["/proc/meminfo": meminfo, "/proc/self/cgroup": "0::/\n",
                            "/sys/fs/cgroup/memory.max": "max\n", "/sys/fs/cgroup/memory.current": "123\n"])
        XCTAssertEqual(result.resident, MemoryLimit.Headroom(bytes: 23455464 * 1024, source: "MemAvailable"))
        XCTAssertNil(result.addressSpace)
    }

    func testCgroupV2LimitMinusUsageNotCountingInactivePageCache() {
        let folder = "/sys/fs/cgroup/user.slice/app.scope"
        let result = limit(["/proc/meminfo": meminfo, "/proc/self/cgroup": "0::/user.slice/app.scope\n",
                            "\(folder)/memory.max": "4294967296\n", "\(folder)/memory.current": "1073741824\n",
                            "\(folder)/memory.stat": "anon 900000000\nfile 300000000\ninactive_file 100000000\n",
                            "/sys/fs/cgroup/user.slice/memory.max": "max\n",
                            "/sys/fs/cgroup/user.slice/memory.current": "9000000000\n"])
        XCTAssertEqual(result.resident, MemoryLimit.Headroom(bytes: 4 * gib - (gib - 100_000_000), source: "cgroup memory.max"))
    }

    func testAnAncestorsTighterLimitWins() {
        let result = limit(["/proc/meminfo": meminfo, "/proc/self/cgroup": "0::/a/b\n",
                            "/sys/fs/cgroup/a/b/memory.max": "8589934592", "/sys/fs/cgroup/a/b/memory.current": "1073741824",
                            "/sys/fs/cgroup/a/memory.max": "2147483648", "/sys/fs/cgroup/a/memory.current": "1610612736"])
        XCTAssertEqual(result.resident?.bytes, gib / 2)
        XCTAssertEqual(result.resident?.source, "cgroup memory.max")
    }

    func testCgroupV1HierarchyAsOnAHybridMachine() {
        let folder = "/sys/fs/cgroup/memory/process_api/ab95"
        let cgroup = "9:name=systemd:/\n4:memory:/process_api/ab95\n1:cpu:/\n0::/\n"
        let limited = limit(["/proc/meminfo": meminfo, "/proc/self/cgroup": cgroup,
                             "\(folder)/memory.limit_in_bytes": "3221225472\n", "\(folder)/memory.usage_in_bytes": "2147483648\n",
                             "\(folder)/memory.stat": "cache 10\ntotal_inactive_file 536870912\n",
                             "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
                             "/sys/fs/cgroup/memory/memory.usage_in_bytes": "3060191232\n"])
        XCTAssertEqual(limited.resident, MemoryLimit.Headroom(bytes: 3 * gib - (2 * gib - gib / 2),
                                                              source: "cgroup memory.limit_in_bytes"))
        // v1's "no limit" (2⁶³ rounded down to a page) leaves MemAvailable.
        let unlimited = limit(["/proc/meminfo": meminfo, "/proc/self/cgroup": cgroup,
                               "\(folder)/memory.limit_in_bytes": "9223372036854771712\n",
                               "\(folder)/memory.usage_in_bytes": "2147483648\n"])
        XCTAssertEqual(unlimited.resident?.source, "MemAvailable")
    }

    func testMemAvailableWinsWhenSmallerThanTheCgroupsHeadroom() {
        let result = limit(["/proc/meminfo": "MemAvailable:    1048576 kB\n", "/proc/self/cgroup": "0::/c\n",
                            "/sys/fs/cgroup/c/memory.max": "8589934592", "/sys/fs/cgroup/c/memory.current": "0"])
        XCTAssertEqual(result.resident, MemoryLimit.Headroom(bytes: gib, source: "MemAvailable"))
    }

    func testAddressSpaceLimitMinusVirtualSize() {
        let status = "Name:\tclipseg\nVmPeak:\t 1300000 kB\nVmSize:\t 1048576 kB\nVmRSS:\t   50000 kB\n"
        let result = limit(["/proc/meminfo": meminfo, "/proc/self/status": status], addressSpace: 8 * gib)
        XCTAssertEqual(result.addressSpace, MemoryLimit.Headroom(bytes: 7 * gib, source: "ulimit -v"))
        // Already over the limit: no headroom, never negative.
        XCTAssertEqual(limit(["/proc/self/status": status], addressSpace: gib / 2).addressSpace?.bytes, 0)
    }

    func testAdmitsComparesBothHeadrooms() {
        let limit = MemoryLimit(resident: .init(bytes: 100, source: "MemAvailable"),
                                addressSpace: .init(bytes: 200, source: "ulimit -v"))
        XCTAssertTrue(limit.admits(residentBytes: 100, addressSpaceBytes: 200))
        XCTAssertFalse(limit.admits(residentBytes: 101, addressSpaceBytes: 150))
        XCTAssertFalse(limit.admits(residentBytes: 50, addressSpaceBytes: 201))
        XCTAssertTrue(MemoryLimit(resident: nil, addressSpace: nil).admits(residentBytes: .max, addressSpaceBytes: .max))
    }

    func testUnreadableOrGarbledFilesGiveNoLimitRatherThanAWrongOne() {
        XCTAssertEqual(limit([:]), MemoryLimit(resident: nil, addressSpace: nil))
        let garbled = limit(["/proc/meminfo": "MemAvailable: lots\n", "/proc/self/cgroup": "nonsense",
                             "/sys/fs/cgroup/memory.max": "12 34"])
        XCTAssertNil(garbled.resident)
    }

    func testThisProcessHasSomeMemoryLeft() {
        let current = MemoryLimit.current()
        let resident = try? XCTUnwrap(current.resident, "Linux reports MemAvailable")
        XCTAssertGreaterThan(resident?.bytes ?? 0, 1 << 20)
    }
}
