import XCTest
@testable import TensorKit

final class BicubicResizeTests: XCTestCase {
    /// One-hot inputs expose the per-axis weights, which must equal PyTorch's exactly. From torch 2.15 CPU:
    ///   interpolate(torch.tensor([0.,1.,0.]).reshape(1,1,3,1), size=(5,1), mode="bicubic", align_corners=False)
    ///   interpolate(torch.tensor([0.,1.,0.,0.]).reshape(1,1,1,4), size=(1,3), mode="bicubic", align_corners=False)
    func testAxisWeightsEqualPyTorchExactly() {
        XCTAssertEqual(BicubicResize.resize([0, 1, 0], height: 3, width: 1, channels: 1, toHeight: 5, toWidth: 1),
                       [-0.09599995613098145, 0.46000003814697266, 1.0, 0.45999979972839355, -0.09599995613098145])
        XCTAssertEqual(BicubicResize.resize([0, 1, 0, 0], height: 1, width: 4, channels: 1, toHeight: 1, toWidth: 3),
                       [0.16087967157363892, 0.59375, -0.017360687255859375])
    }

    /// Expected bits from torch 2.15 CPU, float32:
    ///   x = torch.arange(12.).reshape(1,1,3,4); x = x*x*0.37 - 1.5
    ///   interpolate(x, size=(5,3), mode="bicubic", align_corners=False).flatten().numpy().view(np.uint32)
    /// Sums agree to float rounding: within 1e-7 of the largest input magnitude (43.27).
    func testMatchesPyTorchToFloatRounding() {
        let input = (0..<12).map { Float($0) * Float($0) * 0.37 - 1.5 }
        let expectedBits: [UInt32] = [3221520492, 3218778595, 1045140723, 3198741352, 1071288469, 1084835944,
                                      1083865317, 1092245258, 1098913069, 1099105852, 1103090718, 1107590959,
                                      1103469740, 1107814634, 1110651310]
        let y = BicubicResize.resize(input, height: 3, width: 4, channels: 1, toHeight: 5, toWidth: 3)
        let expected = expectedBits.map { Float(bitPattern: $0) }
        XCTAssertLessThan(NaiveReference.maxDifference(y, expected), 43.27 * 1e-7)
    }

    func testSameSizeIsIdentityAndChannelsAreIndependent() {
        let (h, w, c) = (4, 5, 3)
        let x = NaiveReference.values(h * w * c, seed: 60)
        XCTAssertEqual(BicubicResize.resize(x, height: h, width: w, channels: c, toHeight: h, toWidth: w), x)
        let up = BicubicResize.resize(x, height: h, width: w, channels: c, toHeight: 7, toWidth: 9)
        for channel in 0..<c {
            let plane = stride(from: channel, to: x.count, by: c).map { x[$0] }
            let single = BicubicResize.resize(plane, height: h, width: w, channels: 1, toHeight: 7, toWidth: 9)
            XCTAssertEqual(stride(from: channel, to: up.count, by: c).map { up[$0] }, single)
        }
    }

    func testConstantImageStaysConstant() {
        // Keys' weights sum to one and border indices clamp, so a constant field is preserved.
        let y = BicubicResize.resize([Float](repeating: 2.5, count: 9), height: 3, width: 3, channels: 1,
                                     toHeight: 8, toWidth: 2)
        for v in y { XCTAssertEqual(v, 2.5, accuracy: 1e-6) }
    }
}
