/// Cache-blocked matrix transposition (used once per weight at load time).
public enum MatrixTranspose {
    /// `[rows, columns]` row-major → `[columns, rows]` row-major.
    public static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        precondition(values.count == rows * columns, "transpose of \(values.count) values as \(rows)×\(columns)")
        return [Float](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                if !source.isEmpty { transpose(source.baseAddress!, rows: rows, columns: columns, into: out.baseAddress!) }
            }
            initialized = values.count
        }
    }

    /// Writes `source` (`[rows, columns]` row-major) transposed into `target` (`[columns, rows]`).
    public static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int,
                                 into target: UnsafeMutablePointer<Float>) {
        let block = 32
        for rowStart in stride(from: 0, to: rows, by: block) {
            let rowEnd = min(rowStart + block, rows)
            for columnStart in stride(from: 0, to: columns, by: block) {
                let columnEnd = min(columnStart + block, columns)
                for r in rowStart..<rowEnd {
                    for c in columnStart..<columnEnd { target[c * rows + r] = source[r * columns + c] }
                }
            }
        }
    }
}
