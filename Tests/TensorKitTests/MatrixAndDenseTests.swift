import XCTest
@testable import TensorKit

final class MatrixAndDenseTests: XCTestCase {
    func testGemmMatchesNaiveProduct() {
        let (m, n, k) = (7, 5, 9)
        let a = NaiveReference.values(m * k, seed: 1), b = NaiveReference.values(k * n, seed: 2)
        let c = MatrixMultiply.product(Tensor(shape: [m, k], data: a), Tensor(shape: [k, n], data: b))
        XCTAssertEqual(c.shape, [m, n])
        XCTAssertLessThan(NaiveReference.maxDifference(c.data, NaiveReference.matmul(a, b, m: m, n: n, k: k)), 1e-5)
    }

    func testGemmWithTransposesStridesAlphaAndBeta() {
        // op(A) = Aᵀ with A stored [k, m] inside a wider buffer; op(B) = Bᵀ stored [n, k].
        let (m, n, k, lda) = (4, 3, 6, 10)
        let wide = NaiveReference.values(k * lda, seed: 3), bt = NaiveReference.values(n * k, seed: 4)
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        for p in 0..<k { for i in 0..<m { a[i * k + p] = wide[p * lda + i] } }
        for j in 0..<n { for p in 0..<k { b[p * n + j] = bt[j * k + p] } }
        let start = NaiveReference.values(m * n, seed: 5)
        var c = start
        wide.withUnsafeBufferPointer { pa in bt.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            MatrixMultiply.gemm(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: m, n: n, k: k,
                                transposeA: true, transposeB: true, lda: lda, alpha: 0.5, beta: 2)
        } } }
        let product = NaiveReference.matmul(a, b, m: m, n: n, k: k)
        let expected = zip(product, start).map { 0.5 * $0 + 2 * $1 }
        XCTAssertLessThan(NaiveReference.maxDifference(c, expected), 1e-5)
    }

    func testDenseLayerMatchesPyTorchLinearWithFusedActivation() {
        let (rows, inputs, outputs) = (5, 8, 6)
        let x = NaiveReference.values(rows * inputs, seed: 6)
        let w = NaiveReference.values(outputs * inputs, seed: 7), b = NaiveReference.values(outputs, seed: 8)
        let layer = DenseLayer(pytorchWeight: w, bias: b, inputSize: inputs, outputSize: outputs)
        let linear = NaiveReference.linear(x, rows: rows, weight: w, bias: b, inputs: inputs, outputs: outputs)
        for activation in Activation.allCases {
            let y = layer(Tensor(shape: [rows, inputs], data: x), activation: activation)
            XCTAssertEqual(y.shape, [rows, outputs])
            XCTAssertLessThan(NaiveReference.maxDifference(y.data, linear.map { activation($0) }), 1e-5, "\(activation)")
        }
    }

    func testDenseLayerAccumulatesIntoResidual() {
        let (rows, inputs, outputs) = (3, 4, 4)
        let x = NaiveReference.values(rows * inputs, seed: 9)
        let w = NaiveReference.values(outputs * inputs, seed: 10), b = NaiveReference.values(outputs, seed: 11)
        let residual = NaiveReference.values(rows * outputs, seed: 12)
        let layer = DenseLayer(pytorchWeight: w, bias: b, inputSize: inputs, outputSize: outputs)
        var y = residual
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
            layer.apply(px.baseAddress!, rows: rows, into: py.baseAddress!, accumulate: true)
        } }
        let linear = NaiveReference.linear(x, rows: rows, weight: w, bias: b, inputs: inputs, outputs: outputs)
        XCTAssertLessThan(NaiveReference.maxDifference(y, zip(linear, residual).map { $0 + $1 }), 1e-5)
    }

    func testConcatenatedLayersEqualSeparateLayers() {
        let (rows, inputs) = (4, 5)
        let x = Tensor(shape: [rows, inputs], data: NaiveReference.values(rows * inputs, seed: 13))
        let first = DenseLayer(pytorchWeight: NaiveReference.values(3 * inputs, seed: 14),
                               bias: NaiveReference.values(3, seed: 15), inputSize: inputs, outputSize: 3)
        let second = DenseLayer(pytorchWeight: NaiveReference.values(2 * inputs, seed: 16), bias: nil,
                                inputSize: inputs, outputSize: 2)
        let fused = DenseLayer(concatenatingOutputsOf: [first, second])
        let y = fused(x), a = first(x), b = second(x)
        XCTAssertEqual(y.shape, [rows, 5])
        for r in 0..<rows {
            XCTAssertEqual(Array(y.data[(r * 5)..<(r * 5 + 3)]), Array(a.data[(r * 3)..<(r * 3 + 3)]))
            XCTAssertEqual(Array(y.data[(r * 5 + 3)..<(r * 5 + 5)]), Array(b.data[(r * 2)..<(r * 2 + 2)]))
        }
    }

    func testBlockedTransposeOnRaggedSizes() {
        for (rows, columns) in [(1, 1), (3, 70), (33, 31), (65, 2)] {
            let x = NaiveReference.values(rows * columns, seed: UInt64(rows * 100 + columns))
            let t = MatrixTranspose.transposed(x, rows: rows, columns: columns)
            for r in 0..<rows { for c in 0..<columns { XCTAssertEqual(t[c * rows + r], x[r * columns + c]) } }
        }
    }
}
