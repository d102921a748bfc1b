import Foundation

/// The calling thread as the kernel sees it (/proc/thread-self), independent of what StreamKit reports.

/// Field `index` (counted from the state, 0) of /proc/thread-self/stat, as the kernel reports it.
func kernelStatField(_ index: Int) -> Int32? {
    guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    return fields.count > index ? Int32(fields[index]) : nil
}

/// The calling thread's nice value (field 19 of the stat line), independent of `ThreadNiceness.current`.
func kernelNiceValue() -> Int32? { kernelStatField(16) }

/// The calling thread's scheduling policy (field 41: 0 normal, 3 batch).
func kernelPolicy() -> Int32? { kernelStatField(38) }

/// The calling thread's name as the kernel has it (/proc/thread-self/comm), not Foundation's copy.
func osThreadName() -> String? {
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
}
