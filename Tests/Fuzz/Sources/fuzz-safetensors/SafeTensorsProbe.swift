import Foundation
import FuzzSupport
@testable import SafeTensors

/// What the safetensors target checks for one input.
///
/// - Parsing the buffer and opening the file either both fail with the same one-line message or
///   both succeed with the same tensors and metadata.
/// - Every accepted entry lies inside the data section and its byte count is shape × element size.
/// - Converting an accepted tensor never reads outside the input (AddressSanitizer watches the
///   buffer) and gives the same values from the buffer as from the mapped file; only U64 values
///   above Int64.max may refuse Int64 conversion.
enum SafeTensorsProbe {
    static func check(_ bytes: UnsafeRawBufferPointer) {
        let url = ScratchDirectory.shared.write(bytes, to: "fuzz.safetensors")
        let name = url.path

        var layout: SafeTensorsLayout?
        var layoutError: SafeTensorsError?
        do {
            layout = try SafeTensorsLayout(fileBytes: bytes, file: name)
        } catch {
            layoutError = error
            FuzzCheck.requireOneLine(error)
        }
        var file: SafeTensorsFile?
        var fileError: (any Error)?
        do {
            file = try SafeTensorsFile(url: url)
        } catch {
            fileError = error
            FuzzCheck.requireOneLine(error)
        }

        guard let layout, let file else {
            FuzzCheck.require(layout == nil && file == nil,
                              "buffer and file disagree: \(String(describing: layoutError)) vs \(String(describing: fileError))")
            FuzzCheck.require("\(layoutError.map { "\($0)" } ?? "")" == "\(fileError.map { "\($0)" } ?? "")",
                              "different errors: \(String(describing: layoutError)) vs \(String(describing: fileError))")
            return
        }
        FuzzCheck.require(file.names == layout.header.tensors.keys.sorted(), "tensor names differ")
        FuzzCheck.require(file.metadata == layout.header.metadata, "metadata differs")
        FuzzCheck.require(file.fileSize == bytes.count, "file size \(file.fileSize) for \(bytes.count) bytes")

        let dataSize = bytes.count - layout.dataStart
        for info in file.tensors {
            FuzzCheck.require(layout.header.tensors[info.name] == info, "entry of \(info.name) differs")
            checkEntry(info, dataSize: dataSize)
            let source = bytes.baseAddress! + layout.dataStart + info.byteOffset
            checkConversion(info, source: source, file: file)
        }
    }

    private static func checkEntry(_ info: SafeTensorInfo, dataSize: Int) {
        FuzzCheck.require(info.byteOffset >= 0 && info.byteCount >= 0
                          && info.byteOffset <= dataSize && info.byteCount <= dataSize - info.byteOffset,
                          "\(info.name): bytes \(info.byteOffset)+\(info.byteCount) outside the \(dataSize)-byte data section")
        var product = info.dtype.byteSize
        for size in info.shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            FuzzCheck.require(size >= 0 && !overflow, "\(info.name): shape \(info.shape) accepted but invalid")
            product = next
        }
        FuzzCheck.require(product == info.byteCount, "\(info.name): \(info.byteCount) bytes for shape \(info.shape) of \(info.dtype)")
    }

    private static func checkConversion(_ info: SafeTensorInfo, source: UnsafeRawPointer, file: SafeTensorsFile) {
        let count = info.elementCount
        let raw = (try? file.withRawBytes(info.name) { Array($0) }) ?? []
        FuzzCheck.require(raw.count == info.byteCount && raw.elementsEqual(UnsafeRawBufferPointer(start: source, count: info.byteCount)),
                          "\(info.name): raw bytes of the mapped file differ from the input")
        if info.dtype.isConvertibleToFloat {
            var fromBuffer = [Float](repeating: 0, count: count)
            let converted = fromBuffer.withUnsafeMutableBufferPointer {
                ElementConversion.convertToFloat(source, dtype: info.dtype, into: $0)
            }
            FuzzCheck.require(converted, "\(info.name): \(info.dtype) did not convert to Float32")
            do {
                let fromFile = try file.floats(info.name)
                FuzzCheck.require(fromFile.map(\.bitPattern) == fromBuffer.map(\.bitPattern),
                                  "\(info.name): Float32 values from the file differ from the buffer's")
            } catch {
                FuzzCheck.fail("\(info.name): floats() threw for an accepted \(info.dtype) tensor: \(error)")
            }
        } else if info.dtype.isConvertibleToInt64 {
            var fromBuffer = [Int64](repeating: 0, count: count)
            let outcome = fromBuffer.withUnsafeMutableBufferPointer {
                ElementConversion.convertToInt64(source, dtype: info.dtype, into: $0)
            }
            do {
                let fromFile = try file.int64s(info.name)
                FuzzCheck.require(outcome == .converted && fromFile == fromBuffer,
                                  "\(info.name): Int64 values from the file differ from the buffer's")
            } catch {
                FuzzCheck.requireOneLine(error)
                guard case .outOfRange = outcome, info.dtype == .u64 else {
                    FuzzCheck.fail("\(info.name): int64s() threw for an accepted \(info.dtype) tensor: \(error)")
                }
            }
        } else {
            do {
                _ = try file.floats(info.name)
                FuzzCheck.fail("\(info.name): floats() accepted a \(info.dtype) tensor")
            } catch {
                FuzzCheck.requireOneLine(error)
            }
        }
    }
}
