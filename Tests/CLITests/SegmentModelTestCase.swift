import Foundation
import TestSupport
import XCTest

/// Base of the `clipseg segment` test classes whose tests each run in a fresh temporary folder holding a
/// copy of the small test model (`SegmentTestKit.makeModel`): `folder`, `model` (the copy's path) and
/// `path(_:)`, made before every test and removed after it.
class SegmentModelTestCase: XCTestCase {
    private(set) var folder: TemporaryDirectory!
    private(set) var model = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        folder = try TemporaryDirectory(prefix: "clipseg-\(String(describing: type(of: self)))")
        model = try SegmentTestKit.makeModel(in: folder)
    }

    override func tearDown() {
        folder?.remove()
        super.tearDown()
    }

    /// The path of `name` inside the test's folder.
    func path(_ name: String) -> String { folder.path(name).path }
}
