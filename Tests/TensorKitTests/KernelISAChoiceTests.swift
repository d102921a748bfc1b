import CVectorKernels
import KernelTestSupport
import XCTest
@testable import TensorKit

/// `CLIPSEG_ISA` and the CPU deciding the kernel family (`KernelISAChoice`, a pure function, for every CPU),
/// and the in-process switch the tests force families with.
final class KernelISAChoiceTests: XCTestCase {
    func testTheCPUsBestFamilyWhenNothingIsAsked() {
        for supported in KernelISA.allCases {
            let choice = KernelISAChoice(environment: [:], supported: supported)
            XCTAssertEqual(choice.selected, supported)
            XCTAssertNil(choice.requested)
            XCTAssertNil(choice.note)
        }
    }

    func testAskedFamiliesAreFollowedUpToWhatTheCPURuns() {
        for supported in KernelISA.allCases {
            for asked in KernelISA.allCases {
                let choice = KernelISAChoice(environment: ["CLIPSEG_ISA": asked.description], supported: supported)
                XCTAssertEqual(choice.requested, asked)
                XCTAssertEqual(choice.selected, min(asked, supported), "\(asked) on a \(supported) CPU")
                if asked > supported {
                    XCTAssertEqual(choice.note, "CLIPSEG_ISA=\(asked) needs \(asked.requirement), which this CPU lacks; "
                                   + "using \(supported)")
                } else {
                    XCTAssertNil(choice.note, "\(asked) on a \(supported) CPU")
                }
            }
        }
    }

    func testThePortableAliasAndUnknownNames() {
        let alias = KernelISAChoice(environment: ["CLIPSEG_PORTABLE_KERNELS": "1"], supported: .avx512)
        XCTAssertEqual(alias.selected, .portable)
        XCTAssertNil(alias.note)
        // CLIPSEG_ISA wins over the alias; an unknown name keeps the CPU's best family and says so.
        let both = KernelISAChoice(environment: ["CLIPSEG_PORTABLE_KERNELS": "1", "CLIPSEG_ISA": "AVX2"], supported: .avx512)
        XCTAssertEqual(both.selected, .avx2)
        let unknown = KernelISAChoice(environment: ["CLIPSEG_ISA": "sse9"], supported: .avx2)
        XCTAssertEqual(unknown.selected, .avx2)
        XCTAssertEqual(unknown.note, "CLIPSEG_ISA=sse9 is not one of avx512, avx2, portable; using avx2")
    }

    func testTheCFamilyNumbersAreTheSwiftOnes() {
        XCTAssertEqual(KernelISA.portable.rawValue, Int(CLIPSEG_ISA_PORTABLE))
        XCTAssertEqual(KernelISA.avx2.rawValue, Int(CLIPSEG_ISA_AVX2))
        XCTAssertEqual(KernelISA.avx512.rawValue, Int(CLIPSEG_ISA_AVX512))
        let features = CPUFeatures.current
        let expected: KernelISA = features.isSuperset(of: [.avx512F, .fma]) ? .avx512
            : features.isSuperset(of: [.avx2, .fma]) ? .avx2 : .portable
        XCTAssertEqual(KernelISA.supported, expected)
    }

    func testForcingSwitchesTheKernelsAndRestoresThem() throws {
        let before = KernelISA.current
        for isa in KernelISA.allCases where isa <= KernelISA.supported {
            try withKernels(isa) {
                XCTAssertEqual(VectorKernels.isEnabled, isa != .portable)
                XCTAssertEqual(DenseWeights.Layout.preferred, isa == .avx512 ? .panels : .transposed)
                XCTAssertEqual(Int(clipseg_isa_selected()), isa.rawValue)
            }
            XCTAssertEqual(KernelISA.current, before)
        }
        // Above the CPU: refused, nothing switched (the C side never selects it either).
        if KernelISA.supported < .avx512 {
            XCTAssertThrowsError(try KernelISA.withForced(.avx512) { XCTFail("ran") }) {
                XCTAssertEqual($0 as? KernelISAUnavailable, KernelISAUnavailable(isa: .avx512))
            }
            XCTAssertEqual(Int(clipseg_isa_select(Int32(CLIPSEG_ISA_AVX512))), KernelISA.supported.rawValue)
            clipseg_isa_select(Int32(before.rawValue))
        }
        XCTAssertEqual(KernelISA.current, before)
    }
}
