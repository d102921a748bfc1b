import XCTest
@testable import TensorKit

/// The dense layer's two weight layouts: AVX-512 panels (`clipseg_pg_dense`, bias / activation /
/// residual fused into the tile) and the BLAS layout, each against a Double-precision `Linear`, on
/// sizes around the kernel's 8-row tiles and 48-column panels, with strided rows and column pieces.
final class PackedDenseTests: XCTestCase {
    private var layouts: [DenseWeights.Layout] { VectorKernels.isEnabled ? [.panels, .transposed] : [.transposed] }

    /// The stored weights give PyTorch's matrix back exactly, in either layout.
    func testPanelsUnpackToTheExactWeights() {
        for (inputs, outputs) in [(1, 1), (13, 47), (13, 48), (7, 49), (64, 145)] {
            let w = NaiveReference.values(outputs * inputs, seed: UInt64(inputs * 1000 + outputs))
            for layout in [DenseWeights.Layout.panels, .transposed] {
                let layer = DenseLayer(pytorchWeight: w, bias: nil, inputSize: inputs, outputSize: outputs, layout: layout)
                XCTAssertEqual(layer.weights.pytorchLayout(), w, "\(layout) \(inputs)→\(outputs)")
                XCTAssertEqual(layer.weight, MatrixTranspose.transposed(w, rows: outputs, columns: inputs), "\(layout)")
            }
        }
    }

    func testEveryTileAndPanelShapeMatchesDoubleLinear() {
        for rows in [1, 7, 8, 9, 17] {
            for (inputs, outputs) in [(1, 16), (13, 47), (64, 48), (5, 49), (24, 145)] {
                for hasBias in [true, false] {
                    check(rows: rows, inputs: inputs, outputs: outputs, hasBias: hasBias, activation: .quickGELU, accumulate: false)
                    check(rows: rows, inputs: inputs, outputs: outputs, hasBias: hasBias, activation: .identity, accumulate: true)
                }
            }
        }
    }

    func testEveryActivation() {
        for activation in Activation.allCases {
            check(rows: 11, inputs: 40, outputs: 100, hasBias: true, activation: activation, accumulate: false)
        }
    }

    /// Rows read from and written into wider buffers; the columns beyond the layer keep their values.
    func testStridedRowsLeaveOtherColumnsUntouched() {
        let (rows, inputs, outputs, inputStride, outputStride) = (10, 20, 50, 29, 61)
        let x = NaiveReference.values(rows * inputStride, seed: 70)
        let w = NaiveReference.values(outputs * inputs, seed: 71), b = NaiveReference.values(outputs, seed: 72)
        let dense = (0..<rows).flatMap { r in x[(r * inputStride)..<(r * inputStride + inputs)] }
        let expected = NaiveReference.linear(dense, rows: rows, weight: w, bias: b, inputs: inputs, outputs: outputs)
        for layout in layouts {
            let layer = DenseLayer(pytorchWeight: w, bias: b, inputSize: inputs, outputSize: outputs, layout: layout)
            var y = [Float](repeating: 42, count: rows * outputStride)
            x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
                layer.apply(px.baseAddress!, rows: rows, into: py.baseAddress!, inputStride: inputStride, outputStride: outputStride)
            } }
            for r in 0..<rows {
                let line = Array(y[(r * outputStride)..<((r + 1) * outputStride)])
                XCTAssertLessThan(NaiveReference.maxDifference(Array(line[..<outputs]),
                                                               Array(expected[(r * outputs)..<((r + 1) * outputs)])), 2e-5, "\(layout)")
                XCTAssertEqual(Array(line[outputs...]), [Float](repeating: 42, count: outputStride - outputs), "\(layout) row \(r)")
            }
        }
    }

    /// Column pieces must start on a panel: a piece that does not is a programming error the
    /// layer reports, and `columnGranule` says what a piece may start on.
    func testColumnGranuleIsThePanelWidth() {
        let w = NaiveReference.values(100 * 8, seed: 80)
        XCTAssertEqual(DenseLayer(pytorchWeight: w, bias: nil, inputSize: 8, outputSize: 100, layout: .panels).columnGranule, 48)
        XCTAssertEqual(DenseLayer(pytorchWeight: w, bias: nil, inputSize: 8, outputSize: 100, layout: .transposed).columnGranule, 1)
    }

    private func check(rows: Int, inputs: Int, outputs: Int, hasBias: Bool, activation: Activation, accumulate: Bool,
                       file: StaticString = #filePath, line: UInt = #line) {
        let seed = UInt64(rows * 100_000 + inputs * 1000 + outputs)
        let x = NaiveReference.values(rows * inputs, seed: seed)
        let w = NaiveReference.values(outputs * inputs, seed: seed + 1)
        let b = hasBias ? NaiveReference.values(outputs, seed: seed + 2) : nil
        let residual = NaiveReference.values(rows * outputs, seed: seed + 3)
        let linear = NaiveReference.linear(x, rows: rows, weight: w, bias: b, inputs: inputs, outputs: outputs)
        let expected = accumulate ? zip(linear, residual).map { $0 + $1 } : linear.map { activation($0) }
        for layout in layouts {
            let layer = DenseLayer(pytorchWeight: w, bias: b, inputSize: inputs, outputSize: outputs, layout: layout)
            // The whole layer at once, and the same in pieces of the layer's column granule (two pieces
            // at most one granule apart in size), run on two threads.
            var whole = residual, pieced = residual
            let pieceWidth = max(layer.columnGranule, (outputs / 2 + layer.columnGranule - 1) / layer.columnGranule * layer.columnGranule)
            x.withUnsafeBufferPointer { px in
                whole.withUnsafeMutableBufferPointer {
                    layer.apply(px.baseAddress!, rows: rows, into: $0.baseAddress!, activation: activation, accumulate: accumulate)
                }
                pieced.withUnsafeMutableBufferPointer { out in
                    let base = out.baseAddress!
                    let pieces = (outputs + pieceWidth - 1) / pieceWidth
                    ParallelLoop.run(chunks: pieces, threads: 2) { piece in
                        layer.apply(px.baseAddress!, rows: rows, into: base,
                                    columns: (piece * pieceWidth)..<min((piece + 1) * pieceWidth, outputs),
                                    activation: activation, accumulate: accumulate)
                    }
                }
            }
            let context = "\(layout) rows \(rows) \(inputs)→\(outputs) bias \(hasBias) \(activation) accumulate \(accumulate)"
            XCTAssertLessThan(NaiveReference.maxDifference(whole, expected), 2e-5, context, file: file, line: line)
            // The panel kernel computes every column the same way whatever the piece, so pieces give the
            // very same bits; OpenBLAS picks edge kernels by piece shape, so its sums differ in rounding.
            let bound: Float = layout == .panels ? 0 : 1e-5
            XCTAssertLessThanOrEqual(NaiveReference.maxDifference(pieced, whole), bound, "pieces: \(context)", file: file, line: line)
        }
    }
}
