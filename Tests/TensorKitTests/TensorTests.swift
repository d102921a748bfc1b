import XCTest
@testable import TensorKit

final class TensorTests: XCTestCase {
    func testShapeAndCount() {
        let t = Tensor(shape: [2, 3], repeating: 1.5)
        XCTAssertEqual(t.count, 6)
        XCTAssertEqual(t.innerSize, 3)
        XCTAssertEqual(t.data, [Float](repeating: 1.5, count: 6))
    }
}
