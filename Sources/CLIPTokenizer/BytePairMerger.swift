/// Byte-pair encoding of one word: repeatedly joins the adjacent pair with the lowest merge rank until no
/// pair has a rule. Follows the reference (`tokenizers`' `Word::merge_all`) step for step: a priority queue
/// ordered by (rank, position), one join at a time, and queue entries re-checked against the current pair
/// before use, so ties and overlapping pairs resolve exactly as there.
enum BytePairMerger {
    /// `symbols`: the word's initial token ids, one per byte (the last with its `</w>` form).
    /// Returns the ids after all merges, in order.
    static func merge(_ symbols: [Int32], table: MergeTable) -> [Int32] {
        let count = symbols.count
        guard count > 1 else { return symbols }
        var ids = symbols
        var previous = (0..<count).map { Int32($0) - 1 }
        var next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: count)
        var queue = MergeQueue()
        for position in 0..<(count - 1) {
            if let merge = table.merge(ids[position], ids[position + 1]) {
                queue.push(rank: merge.rank, position: Int32(position), joinedID: merge.joinedID)
            }
        }
        while let entry = queue.pop() {
            let position = Int(entry.position)
            guard alive[position], next[position] >= 0 else { continue }
            let right = Int(next[position])
            // The pair may have changed since the entry was queued; use it only if it still joins the same way.
            guard let current = table.merge(ids[position], ids[right]), current.joinedID == entry.joinedID else {
                continue
            }
            ids[position] = entry.joinedID
            alive[right] = false
            let after = next[right]
            next[position] = after
            if after >= 0 { previous[Int(after)] = Int32(position) }
            let before = previous[position]
            if before >= 0, let merge = table.merge(ids[Int(before)], ids[position]) {
                queue.push(rank: merge.rank, position: before, joinedID: merge.joinedID)
            }
            if after >= 0, let merge = table.merge(ids[position], ids[Int(after)]) {
                queue.push(rank: merge.rank, position: Int32(position), joinedID: merge.joinedID)
            }
        }
        var result = [Int32]()
        result.reserveCapacity(count)
        for position in 0..<count where alive[position] { result.append(ids[position]) }
        return result
    }
}

/// A binary min-heap of pending joins ordered by (rank, position).
private struct MergeQueue {
    struct Entry {
        /// rank in the high 32 bits, position in the low 32 bits: one comparison orders both.
        var order: UInt64
        var joinedID: Int32
        var position: Int32 { Int32(truncatingIfNeeded: order & 0xFFFF_FFFF) }
    }

    private var heap = [Entry]()

    mutating func push(rank: Int32, position: Int32, joinedID: Int32) {
        let order = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position))
        heap.append(Entry(order: order, joinedID: joinedID))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].order < heap[parent].order else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].order < heap[smallest].order { smallest = left }
                if right < heap.count, heap[right].order < heap[smallest].order { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
