/// RGB24 → full-range ("JPEG", JFIF) YUV 4:2:0 with BT.601 weights, the planes a JPEG file holds. Written out
/// here because swscale has no fast path for this pair (it took 1.6 ms of the 2.6 ms a 640×480 preview frame
/// cost). Integer arithmetic in 16-bit fixed point; each chroma sample is the mean of its 2×2 block (an odd
/// last column or row repeats its pixels).
enum FullRangeYUV420 {
    /// Converts `height` rows of `width` packed RGB pixels (`width * 3` bytes a row) into the luma plane `y`
    /// and the chroma planes `cb`, `cr` (`(width + 1) / 2` × `(height + 1) / 2` samples), which the caller owns.
    static func convert(rgb: UnsafePointer<UInt8>, width: Int, height: Int,
                        y: UnsafeMutablePointer<UInt8>, yStride: Int,
                        cb: UnsafeMutablePointer<UInt8>, cbStride: Int,
                        cr: UnsafeMutablePointer<UInt8>, crStride: Int) {
        let rowBytes = width * 3
        for row in 0..<height {
            let source = rgb + row * rowBytes
            let luma = y + row * yStride
            for x in 0..<width {
                let r = Int32(source[3 * x]), g = Int32(source[3 * x + 1]), b = Int32(source[3 * x + 2])
                luma[x] = UInt8(truncatingIfNeeded: (19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
            }
        }
        for chromaRow in 0..<(height + 1) / 2 {
            let top = rgb + 2 * chromaRow * rowBytes
            let bottom = rgb + min(2 * chromaRow + 1, height - 1) * rowBytes
            let blue = cb + chromaRow * cbStride, red = cr + chromaRow * crStride
            for x in 0..<(width + 1) / 2 {
                let left = 6 * x, right = 3 * min(2 * x + 1, width - 1)
                // Sums of four pixels: the weights' 16 bits plus 2 more bits for the mean.
                let r = Int32(top[left]) + Int32(top[right]) + Int32(bottom[left]) + Int32(bottom[right])
                let g = Int32(top[left + 1]) + Int32(top[right + 1]) + Int32(bottom[left + 1]) + Int32(bottom[right + 1])
                let b = Int32(top[left + 2]) + Int32(top[right + 2]) + Int32(bottom[left + 2]) + Int32(bottom[right + 2])
                blue[x] = UInt8(clamping: ((-11059 * r - 21709 * g + 32768 * b + 131072) >> 18) + 128)
                red[x] = UInt8(clamping: ((32768 * r - 27439 * g - 5329 * b + 131072) >> 18) + 128)
            }
        }
    }
}
