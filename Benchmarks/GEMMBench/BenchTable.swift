import Foundation

/// The printed table: one row per shape, GFLOP/s per method and the speed-up over sgemm.
enum BenchTable {
    static let header = pad("shape", 22) + GEMMMethod.names.map { pad($0, 13) }.joined()
        + pad("bf16/sgemm", 12) + pad("int8/sgemm", 12)

    static func row(shape: LayerShape, methods: [GEMMMethod], seconds: [Double]) -> String {
        let rates = seconds.map { shape.flops / $0 / 1e9 }
        let cells = rates.map { pad(String(format: "%.0f GF/s", $0), 13) }.joined()
        return pad("\(shape.name)", 22) + cells
            + pad(String(format: "%.2fx", rates[2] / rates[0]), 12) + pad(String(format: "%.2fx", rates[3] / rates[0]), 12)
    }

    /// Milliseconds for one encoder layer's four GEMMs per method.
    static func layerTotal(_ totals: [String: Double], names: [String]) -> String {
        pad("one encoder layer", 22) + names.map { pad(String(format: "%.1f ms", (totals[$0] ?? 0) * 1000), 13) }.joined()
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
