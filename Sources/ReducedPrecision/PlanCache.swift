import Foundation

/// A lock-guarded cache of compiled oneDNN plans keyed by call shape, shared by every thread
/// using one layer. Plans are built outside the lock (building JIT-compiles, milliseconds); if
/// two threads race on one key, the first stored plan wins and the other is dropped. Holds at
/// most `limit` plans: the cache is emptied when it would grow past that.
final class PlanCache<Key: Hashable, Plan>: @unchecked Sendable {
    /// Most call shapes kept per layer.
    static var limit: Int { 64 }

    private let lock = NSLock()
    private var plans: [Key: Plan] = [:]

    /// The plan for `key`, built by `make` on first use.
    func plan(for key: Key, make: () throws -> Plan) throws -> Plan {
        lock.lock()
        let cached = plans[key]
        lock.unlock()
        if let cached { return cached }
        let fresh = try make()
        lock.lock()
        defer { lock.unlock() }
        if let winner = plans[key] { return winner }
        if plans.count >= Self.limit { plans.removeAll() }
        plans[key] = fresh
        return fresh
    }
}
