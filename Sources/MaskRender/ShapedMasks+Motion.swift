extension ShapedMasks {
    /// These masks moved by a backward motion field: every plane (probabilities, masks, union) becomes
    /// `plane'(p) = plane(p + v(block of p))`, with `p + v` clamped to the frame (the border pixels are
    /// repeated where content comes in from outside). The union moves with the same map, so it stays the
    /// pixel-wise maximum of the moved masks.
    ///
    /// `field` must be for a frame of these masks' size (else the masks come back unchanged); a zero field
    /// also returns them as they are, without copying. Otherwise new planes are allocated (one set, the size
    /// of these) and filled row by row, one copy per run of blocks with the same vector. ~1 ms for two prompts
    /// at 640×480 with one vector per thumbnail pixel, in a release build.
    public func moved(by field: BlockMotionField) -> ShapedMasks {
        guard field.frameWidth == width, field.frameHeight == height, !field.isZero, width > 0, height > 0 else {
            return self
        }
        let movedProbabilities = movedPlanes(probabilities, count: promptCount, by: field)
        let movedMasks = movedPlanes(masks, count: promptCount, by: field)
        let movedUnion = movedPlanes(union, count: 1, by: field)
        return ShapedMasks(width: width, height: height, promptCount: promptCount, threshold: threshold,
                           probabilities: movedProbabilities, masks: movedMasks, union: movedUnion)
    }

    /// `count` planes of this size moved by `field`, into a new array.
    private func movedPlanes<T>(_ planes: [T], count: Int, by field: BlockMotionField) -> [T] {
        [T](unsafeUninitializedCapacity: count * planeSize) { out, initialized in
            planes.withUnsafeBufferPointer { source in
                for p in 0..<count {
                    Self.move(source.baseAddress! + p * planeSize, into: out.baseAddress! + p * planeSize,
                              width: width, height: height, field: field)
                }
            }
            initialized = count * planeSize
        }
    }

    /// Gathers one `[height, width]` plane through `field` (see `moved(by:)`); `destination` is written whole.
    static func move<T>(_ source: UnsafePointer<T>, into destination: UnsafeMutablePointer<T>, width: Int, height: Int,
                        field: BlockMotionField) {
        let block = field.blockSize, columns = field.columns
        for y in 0..<height {
            let row = min(y / block, max(field.rows - 1, 0))
            let out = destination + y * width
            guard field.columns > 0, field.rows > 0 else {
                out.initialize(from: source + y * width, count: width)
                continue
            }
            var c = 0
            while c < columns, c * block < width {
                // One segment per run of blocks with the same vector.
                let i = row * columns + c, vx = Int(field.dx[i]), vy = Int(field.dy[i])
                var next = c + 1
                while next < columns, field.dx[i + next - c] == field.dx[i], field.dy[i + next - c] == field.dy[i] {
                    next += 1
                }
                let start = c * block, end = next == columns ? width : min(next * block, width)
                c = next
                let sourceRow = source + min(max(y + vy, 0), height - 1) * width
                // Destination x in [start, end) reads x + vx: below 0 repeats column 0, past the edge the last.
                let first = min(max(start, -vx), end), last = max(min(end, width - vx), first)
                if first > start { out.advanced(by: start).initialize(repeating: sourceRow[0], count: first - start) }
                if last > first { out.advanced(by: first).initialize(from: sourceRow + first + vx, count: last - first) }
                if end > last { out.advanced(by: last).initialize(repeating: sourceRow[width - 1], count: end - last) }
            }
        }
    }
}
