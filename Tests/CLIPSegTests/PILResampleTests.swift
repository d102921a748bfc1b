import XCTest
@testable import CLIPSeg

/// Resized bytes must equal Pillow's exactly. Expected bytes from Pillow 13.0.0:
///   a[y, x, c] = (x*37 + y*91 + c*53 + x*y*7) % 256   (7×5 RGB)
///   Image.fromarray(a).resize((W, H), filter).tobytes().hex()
final class PILResampleTests: XCTestCase {
    private let width = 7, height = 5
    private var source: [UInt8] {
        var bytes: [UInt8] = []
        for y in 0..<height { for x in 0..<width { for c in 0..<3 { bytes.append(UInt8((x * 37 + y * 91 + c * 53 + x * y * 7) % 256)) } } }
        return bytes
    }

    private let cases: [(PILResample.Filter, Int, Int, String)] = [
        (.bilinear, 4, 9, "13487d4d82b791c6c8cb7a41336899708d967b98aba17c68679cc7aba05f564b7b5a80a9979b8e8b816c64718f857f83c58c3b53558a7eb3b5cd7c4372766f72909da38e858e80853a6d968eb4a3b776666883ac6e9b87a17c7788908ba9816c8eb77eac5b5d6ba0a2d07f46"),
        // Height shrinks far more than width: Pillow 13 runs the vertical pass first.
        (.bilinear, 9, 2, "4f847f6c7b9c758a9077947599658f6a7fb16e9e868c926aa95287578c877e8c779181848c7e9479a36f9e7e9c8e947b8c936ab35c91"),
        (.bicubic, 11, 3, "255a8f376ca75489b76caa7e8a94779f619e6b7bc358a0af7fba5c9d7a69ae42827cbc529a8a70af549465818b5f917f8e847a8978a17d859d75ab61937f78ad56954075b45a978688b458bb708ea6738e6aa769998397a880977eb2549f8271bf5493"),
        (.lanczos, 3, 8, "0e3b7a69bdebd99c4f3d7da385909780808492c0b3915c48366bafbe8c57566d979e91708462586a9ab6bf9167377aafbdab78746c9f72948fa08a79928280b7a05a6f6c8ec09e57"),
        (.box, 5, 5, "00356a386da26fa4d9a7dc91de13485b90c59dd287df144921568b6398cdb6eb2083386d4f84b99cd186e81d5211467b689dd2bff429964b806da2d76ca1d6ce83382f649991c67bf2275c"),
        (.hamming, 10, 4, "093e7320558a3166995489a67294c57c9ed387bcf0aadf3ebb973dd21f5479ae8e9597aba48cb381b641a6516597427732679c5d92797387888f6fa4487d5d6a6b7f7d64996297cc8fc46fa5b964d15b90678f757488899676ab6398cd8bc066a9cc2be432665c658749799b7d9acea2d534be9a40e63368"),
        // Width unchanged: the vertical pass alone.
        (.bilinear, 7, 3, "275c914f84b977ac739f669b598ec381b659a94c817db259b0578c558a86888480827eb37cb158af568b457aaf83b85bc164996da269ab72a77bb053b95c91"),
        (.bicubic, 12, 5, "0032670a3f7423588d396ea34f84b96499ce7aafec8fc4ffa5e99cbbe920d45b33e1024b588dc2679cdc85baf49fe57cbad816e54734ac0e561b39700e5489396ea3578cc1669bd0b2fb1ccfa72eec2251772b6f16578c3875aa5e93d07cb1f299dd91b7e61cda6139ec0d560c417621568b487db26a9fe68cc3e1aef658d8c527fe3c5aa1377e316ba05292c772a7dc679ce57ebe96aae41ae1782ce11f605c49862f77b4669dde8ed185b4e319e0673ff71861"),
    ]

    /// On one thread and with both passes split by rows over 2 and 3 threads.
    func testEveryFilterMatchesPillowByteForByte() {
        for (filter, toWidth, toHeight, hex) in cases {
            let expected = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
                let start = hex.index(hex.startIndex, offsetBy: i)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
            }
            for threads in [1, 2, 3] {
                let got = PILResample.resize(rgb: source, width: width, height: height, toWidth: toWidth,
                                             toHeight: toHeight, filter: filter, threads: threads)
                XCTAssertEqual(got, expected, "\(filter) \(width)×\(height) → \(toWidth)×\(toHeight), \(threads) threads")
            }
        }
    }

    func testSameSizeIsACopy() {
        XCTAssertEqual(PILResample.resize(rgb: source, width: width, height: height, toWidth: width, toHeight: height,
                                          filter: .lanczos), source)
    }

    func testFilterCodesFollowPillowsNumbering() {
        XCTAssertEqual(PILResample.Filter(pilCode: 1), .lanczos)
        XCTAssertEqual(PILResample.Filter(pilCode: 2), .bilinear)
        XCTAssertEqual(PILResample.Filter(pilCode: 3), .bicubic)
        XCTAssertEqual(PILResample.Filter(pilCode: 4), .box)
        XCTAssertEqual(PILResample.Filter(pilCode: 5), .hamming)
        XCTAssertNil(PILResample.Filter(pilCode: 0))  // NEAREST takes another path in Pillow; not supported
    }
}
