import Foundation

/// NumPy `.npy` (format 1.0) serialisation of a float32 array in C order.
enum NumPyFile {
    /// The bytes of an `.npy` file holding `values` (little-endian float32) with `shape`.
    static func float32(_ values: [Float], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "npy shape \(shape) does not hold \(values.count) values")
        let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dimensions)), }"
        // Magic (6) + version (2) + length (2) + header, padded with spaces and ending in \n to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        data.reserveCapacity(data.count + 2 + header.utf8.count + values.count * 4)
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                let bits = value.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }
}
