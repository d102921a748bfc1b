// gemm-bench: GFLOP/s of the model's linear layers in float32 (OpenBLAS) and in bf16 / int8
// (oneDNN), on the same data, in one run. The methods take turns call by call, so load from
// other processes on a shared machine hits them alike; compare the ratios.
//
//   swift run -c release gemm-bench [--threads 1,2] [--rows 485] [--rounds 30]
import Foundation
import ReducedPrecision
import TensorKit

let options = BenchOptions.parse(CommandLine.arguments.dropFirst())
let shapes = LayerShape.vitBase(rows: options.rows)
print("gemm-bench: oneDNN \(OneDNNRuntime.version) (\(OneDNNRuntime.instructionSet)), OpenBLAS for float32; "
      + "\(options.rounds) timed rounds after \(options.warmUp) warm-up, median per method; "
      + "bf16/int8 include converting the float32 input and the bias")
print("formats available here: \(ReducedPrecisionFormat.available.map(\.rawValue).joined(separator: ", "))")

for threads in options.threadCounts {
    MatrixMultiply.threadCount = threads
    let context = try ReducedPrecisionContext(threadCount: threads)
    print("\n== \(threads) thread\(threads == 1 ? "" : "s") ==")
    print(BenchTable.header)
    var totals: [String: Double] = [:]
    for shape in shapes {
        let methods = try GEMMMethod.all(for: shape, context: context)
        let seconds = Timing.interleavedMedians(methods.map(\.run), rounds: options.rounds, warmUp: options.warmUp)
        print(BenchTable.row(shape: shape, methods: methods, seconds: seconds))
        for (method, time) in zip(methods, seconds) { totals[method.name, default: 0] += time * Double(shape.perLayer) }
    }
    print(BenchTable.layerTotal(totals, names: GEMMMethod.names))
}
