import XCTest
import Foundation
@testable import TensorKit

final class ElementwiseTests: XCTestCase {
    func testActivationsAgainstClosedForms() {
        // Reference values: torch.nn.functional.gelu(x) (exact erf form) and x*sigmoid(1.702x).
        XCTAssertEqual(Activation.gelu(1.0), 0.8413447, accuracy: 1e-6)
        XCTAssertEqual(Activation.gelu(-0.5), -0.15426877, accuracy: 1e-6)
        XCTAssertEqual(Activation.quickGELU(1.0), Float(1.0 / (1.0 + exp(-1.702))), accuracy: 1e-7)
        XCTAssertEqual(Activation.geluTanh(1.0), 0.8411920, accuracy: 1e-6)
        XCTAssertEqual(Activation.relu(-2), 0)
        XCTAssertEqual(Activation.relu(2), 2)
        XCTAssertEqual(Activation(huggingFaceName: "quick_gelu"), .quickGELU)
        XCTAssertEqual(Activation(huggingFaceName: "gelu_new"), .geluTanh)
        XCTAssertNil(Activation(huggingFaceName: "swish-ish"))
    }

    func testLayerNormMatchesDoubleReference() {
        let (rows, size) = (3, 10)
        let x = NaiveReference.values(rows * size, seed: 20).map { $0 * 5 + 3 }
        let gamma = NaiveReference.values(size, seed: 21), beta = NaiveReference.values(size, seed: 22)
        let norm = LayerNorm(gamma: gamma, beta: beta, epsilon: 1e-5)
        let y = norm(Tensor(shape: [rows, size], data: x))
        let expected = NaiveReference.layerNorm(x, rows: rows, size: size, gamma: gamma, beta: beta, epsilon: 1e-5)
        XCTAssertLessThan(NaiveReference.maxDifference(y.data, expected), 2e-6)
    }

    func testSoftmaxIsStableAndSumsToOne() {
        let x = Tensor(shape: [2, 3], data: [1000, 1001, 1002, -5, 0, 5])
        let y = Softmax.rows(of: x)
        let expected = NaiveReference.softmax([0, 1, 2]) + NaiveReference.softmax([-5, 0, 5])
        XCTAssertLessThan(NaiveReference.maxDifference(y.data, expected.map { Float($0) }), 1e-6)
    }

    func testCausalSoftmaxZeroesTheFuture() {
        var x: [Float] = [1, 9, 9, 2, 3, 9, 4, 5, 6]
        x.withUnsafeMutableBufferPointer { Softmax.apply($0.baseAddress!, rows: 3, columns: 3, causal: true) }
        let expected = [1.0, 0, 0] + NaiveReference.softmax([2, 3]) + [0] + NaiveReference.softmax([4, 5, 6])
        XCTAssertLessThan(NaiveReference.maxDifference(x, expected.map { Float($0) }), 1e-6)
    }
}
