import Foundation
import FuzzSupport
import SafeTensors
@testable import TorchCheckpoint

/// What the PyTorch checkpoint target checks for one input.
///
/// - A ZIP input either opens or is refused with a one-line error; once open, every tensor converts to
///   exactly `elementCount` values (AddressSanitizer watches every read of the mapped storages).
/// - A bare pickle either loads or is refused in one line; storages it names get a stand-in of at most
///   65,536 elements, so `_rebuild_tensor_v2`'s bounds check runs on every tensor it builds.
enum TorchCheckpointProbe {
    static func check(_ bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: [0x50, 0x4B]) { checkArchive(bytes) } else { checkPickle(bytes) }
    }

    private static func checkArchive(_ bytes: UnsafeRawBufferPointer) {
        let url = ScratchDirectory.shared.write(bytes, to: "fuzz.bin")
        let checkpoint: TorchCheckpointFile
        do {
            checkpoint = try TorchCheckpointFile(url: url)
        } catch {
            FuzzCheck.requireOneLine(error)
            return
        }
        FuzzCheck.require(checkpoint.names == checkpoint.names.sorted(), "names not sorted")
        for info in checkpoint.tensors {
            do {
                let count = info.dtype.isConvertibleToFloat ? try checkpoint.floats(info.name).count
                                                            : try checkpoint.int64s(info.name).count
                FuzzCheck.require(count == info.elementCount, "\(info.name): \(count) values for \(info.elementCount) elements")
            } catch {
                FuzzCheck.requireOneLine(error)
            }
        }
    }

    private static func checkPickle(_ bytes: UnsafeRawBufferPointer) {
        var unpickler = RestrictedUnpickler(pickle: bytes) { key, dtype, count throws(TorchCheckpointError.Kind) in
            guard count <= 65_536 else { throw .storageTooSmall(key: key, bytes: 65_536 * dtype.byteSize, needed: count) }
            return TorchStorage(key: key, dtype: dtype, count: count)
        }
        do {
            _ = try unpickler.load()
        } catch {
            FuzzCheck.requireOneLine(TorchCheckpointError(error, file: "fuzz.pkl"))
        }
    }
}
