import CVectorKernels
import Foundation
import XCTest
@testable import TensorKit

/// The vector kernels (`VectorKernels`, C target `CVectorKernels`, the family selected) against their portable Swift
/// loops and double-precision references, on every tail length up to 41 and on the model's widths.
/// The other TensorKit tests exercise whichever path this CPU takes; these pin both.
final class VectorKernelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(clipseg_vk_available() != 0, "no vector kernel family selected (this CPU has neither AVX-512F nor AVX2 with FMA)")
    }

    func testExponentiatedRowsAgreeWithThePortableLoopOnEveryTail() {
        for count in Array(1...41) + [64, 485, 1000] {
            let start = NaiveReference.values(count, seed: UInt64(500 + count)).map { $0 * 30 - 4 }
            var vector = start, portable = start
            let vectorSum = vector.withUnsafeMutableBufferPointer { clipseg_vk_exp_shifted_sum($0.baseAddress!, count) }
            let portableSum = portable.withUnsafeMutableBufferPointer {
                Softmax.portableExponentiate($0.baseAddress!, count: count)
            }
            let maximum = Double(start.max()!)
            let exactSum = start.reduce(0.0) { $0 + Foundation.exp(Double($1) - maximum) }
            XCTAssertEqual(Double(vectorSum), exactSum, accuracy: 1e-6 * exactSum, "count \(count)")
            XCTAssertEqual(vectorSum, portableSum, accuracy: 1e-6 * portableSum, "count \(count)")
            XCTAssertLessThan(NaiveReference.maxDifference(vector, portable), 3e-7, "count \(count)")
            XCTAssertTrue(vector.contains(1), "the maximum's own term is exactly 1 (count \(count))")
        }
    }

    func testExponentiationClampsLikeThePortableLoop() {
        var line: [Float] = [0, -200, -90, -87, 3]
        let sum = line.withUnsafeMutableBufferPointer { clipseg_vk_exp_shifted_sum($0.baseAddress!, $0.count) }
        XCTAssertEqual(line[4], 1)
        XCTAssertGreaterThan(line[1], 0, "clamped below like FastExponential, not 0")
        XCTAssertEqual(line[1], FastExponential.exp(-203), accuracy: 1e-44)
        XCTAssertEqual(Double(sum), 1 + Foundation.exp(-3.0), accuracy: 1e-6)
    }

    func testBiasAndActivationsAgreeWithThePortableLoopAndLeaveTheStrideAlone() {
        for activation in [Activation.identity, .relu, .quickGELU] {
            for columns in [1, 15, 16, 17, 31, 64, 768, 3072 + 5] {
                let (rows, stride) = (3, columns + 7)
                let start = NaiveReference.values(rows * stride, seed: UInt64(columns)).map { $0 * 9 }
                let bias = NaiveReference.values(columns, seed: 77)
                for withBias in [true, false] {
                    var vector = start, portable = start
                    bias.withUnsafeBufferPointer { b in
                        let biasPointer = withBias ? b.baseAddress : nil
                        vector.withUnsafeMutableBufferPointer {
                            clipseg_vk_bias_activation($0.baseAddress!, biasPointer, rows, columns, stride,
                                                       VectorKernels.code(of: activation)!)
                        }
                        portable.withUnsafeMutableBufferPointer {
                            activation.portableApplyAddingBias(biasPointer, to: $0.baseAddress!, rows: rows,
                                                               columns: columns, stride: stride)
                        }
                    }
                    XCTAssertLessThan(NaiveReference.maxDifference(vector, portable), 2e-6,
                                      "\(activation) columns \(columns) bias \(withBias)")
                    for r in 0..<rows {
                        for j in columns..<stride {
                            XCTAssertEqual(vector[r * stride + j], start[r * stride + j], "outside the row: untouched")
                        }
                    }
                }
            }
        }
    }

    func testLayerNormAgreesWithThePortableLoopOnEveryTail() {
        for size in Array(1...41) + [64, 512, 768] {
            let (rows, stride) = (3, size + 3)
            let x = NaiveReference.values(rows * stride, seed: UInt64(900 + size)).map { $0 * 4 + 2 }
            let gamma = NaiveReference.values(size, seed: 40), beta = NaiveReference.values(size, seed: 41)
            var vector = [Float](repeating: -7, count: rows * stride), portable = vector
            let norm = LayerNorm(gamma: gamma, beta: beta, epsilon: 1e-5)
            x.withUnsafeBufferPointer { input in
                vector.withUnsafeMutableBufferPointer {
                    clipseg_vk_layer_norm(input.baseAddress!, stride, $0.baseAddress!, stride, rows, size,
                                          gamma, beta, 1e-5)
                }
                portable.withUnsafeMutableBufferPointer {
                    norm.portableApply(input.baseAddress!, rows: rows, into: $0.baseAddress!,
                                       inputStride: stride, outputStride: stride)
                }
            }
            XCTAssertLessThan(NaiveReference.maxDifference(vector, portable), 3e-6, "size \(size)")
            XCTAssertEqual(vector[size], -7, "the row's padding is not written")
        }
    }

    func testRowFillAndDivision() {
        let (rows, columns, stride) = (4, 37, 40)
        let row = NaiveReference.values(columns, seed: 5)
        var filled = [Float](repeating: 9, count: rows * stride)
        filled.withUnsafeMutableBufferPointer { clipseg_vk_fill_rows($0.baseAddress!, row, rows, columns, stride) }
        var divided = filled
        let denominators: [Float] = [1, 2, 4, 0.5]
        divided.withUnsafeMutableBufferPointer {
            clipseg_vk_divide_rows($0.baseAddress!, denominators, rows, columns, stride)
        }
        for r in 0..<rows {
            XCTAssertEqual(Array(filled[(r * stride)..<(r * stride + columns)]), row)
            XCTAssertEqual(Array(filled[(r * stride + columns)..<((r + 1) * stride)]), [9, 9, 9])
            XCTAssertEqual(Array(divided[(r * stride)..<(r * stride + columns)]), row.map { $0 * (1 / denominators[r]) })
        }
    }
}
