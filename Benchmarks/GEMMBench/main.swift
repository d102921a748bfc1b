// gemm-bench: GFLOP/s of the model's linear layers in float32 (OpenBLAS) and in bf16 / int8
// (oneDNN), on the same data, in one run. The methods take turns call by call, so load from
// other processes on a shared machine hits them alike; compare the ratios.
//
// Unless given --as-launched, it first re-runs itself with OMP_WAIT_POLICY=PASSIVE and
// OPENBLAS_THREAD_TIMEOUT=4 (see ThreadWaitPolicy), as the model should run.
//
//   swift run -c release gemm-bench [--threads 1,2] [--rows 485] [--rounds 30] [--as-launched]
import Foundation
import ReducedPrecision
import TensorKit

let options = BenchOptions.parse(CommandLine.arguments.dropFirst())
if !options.asLaunched { ThreadWaitPolicy.restartQuietlyIfNeeded() }
let shapes = LayerShape.vitBase(rows: options.rows)
print("gemm-bench: oneDNN \(OneDNNRuntime.version) (\(OneDNNRuntime.instructionSet)), OpenBLAS for float32; "
      + "\(options.rounds) timed rounds after \(options.warmUp) warm-up, median per method; "
      + "bf16/int8 include converting the float32 input and the bias")
print("formats available here: \(ReducedPrecisionFormat.available.map(\.rawValue).joined(separator: ", ")); "
      + "thread waiting: \(ThreadWaitPolicy.summary)")

for threads in options.threadCounts {
    MatrixMultiply.threadCount = threads
    let context = try ReducedPrecisionContext(threadCount: threads)
    print("\n== \(threads) thread\(threads == 1 ? "" : "s") ==")
    print(BenchTable.header)
    var totals: [String: Double] = [:]
    for shape in shapes {
        let methods = try GEMMMethod.all(for: shape, threads: threads, context: context)
        let seconds = Timing.interleavedMedians(methods.map(\.run), rounds: options.rounds, warmUp: options.warmUp)
        print(BenchTable.row(shape: shape, methods: methods, seconds: seconds))
        for (method, time) in zip(methods, seconds) { totals[method.name, default: 0] += time * Double(shape.perLayer) }
    }
    print(BenchTable.layerTotal(totals, names: GEMMMethod.names))

    let attention = try AttentionMethod.all(tokens: options.rows, context: context)
    let attentionSeconds = Timing.interleavedMedians(attention.map(\.run), rounds: options.rounds, warmUp: options.warmUp)
    print("attention Q·Kᵀ and P·V, 12 heads × 64, \(options.rows) tokens: " + zip(attention, attentionSeconds).map {
        $0.name.hasSuffix("softmax") ? String(format: "%@ %.2f ms", $0.name, $1 * 1000)
            : String(format: "%@ %.2f ms (%.0f GF/s)", $0.name, $1 * 1000, AttentionMethod.flops(tokens: options.rows) / $1 / 1e9)
    }.joined(separator: ", "))
}
