import TensorKit
import XCTest

extension XCTestCase {
    /// Runs `body` with TensorKit's kernels forced to `isa` (`KernelISA.withForced`), so that models and
    /// layers built and run inside take that family's path; the family that ran before is restored after.
    /// Throws `XCTSkip` naming the missing CPU features when this CPU cannot run `isa` (e.g. avx512 here).
    public func withKernels(_ isa: KernelISA, _ body: () throws -> Void) throws {
        guard isa <= KernelISA.supported else {
            throw XCTSkip("the \(isa) kernels need \(isa.requirement), which this CPU lacks")
        }
        try KernelISA.withForced(isa) {
            XCTAssertEqual(KernelISA.current, isa, "forcing the \(isa) kernels")
            try body()
        }
    }
}
