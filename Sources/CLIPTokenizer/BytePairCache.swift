import Foundation

/// A thread-safe memo of BPE results per word (the word's UTF-8 bytes → its token ids), shared by all copies
/// of a tokenizer. Holds at most `capacity` words; when full it starts over, so memory stays bounded.
final class BytePairCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries = [[UInt8]: [Int32]]()
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func ids(for word: [UInt8]) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func store(_ ids: [Int32], for word: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[word] = ids
    }
}
