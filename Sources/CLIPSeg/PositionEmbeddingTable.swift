import Foundation
import TensorKit

/// The vision tower's position embeddings for any token grid: the stored table when the grid is the
/// one the checkpoint was trained for, otherwise the class row unchanged and the patch rows resized
/// bicubically (PyTorch `interpolate(mode="bicubic", align_corners=False)`), as transformers'
/// `interpolate_pos_encoding` does. Resized tables are cached per grid size; safe to use from
/// several threads at once.
final class PositionEmbeddingTable: @unchecked Sendable {
    /// `[1 + side², hidden]`: class row first, then patch rows row-major.
    let stored: [Float]
    /// Side of the stored patch grid.
    let storedSide: Int
    let hidden: Int

    private let lock = NSLock()
    private var resized: [GridSize: [Float]] = [:]

    struct GridSize: Hashable {
        let height: Int
        let width: Int
    }

    init(stored: [Float], storedSide: Int, hidden: Int) {
        self.stored = stored
        self.storedSide = storedSide
        self.hidden = hidden
    }

    /// `[1 + height · width, hidden]` embeddings for a `height × width` token grid.
    func table(gridHeight height: Int, gridWidth width: Int) -> [Float] {
        if height == storedSide && width == storedSide { return stored }
        let key = GridSize(height: height, width: width)
        lock.lock()
        if let cached = resized[key] { lock.unlock(); return cached }
        lock.unlock()
        let patches = Array(stored[hidden...])
        let interpolated = BicubicResize.resize(patches, height: storedSide, width: storedSide, channels: hidden,
                                                toHeight: height, toWidth: width)
        let table = Array(stored[..<hidden]) + interpolated
        lock.lock()
        resized[key] = table
        lock.unlock()
        return table
    }
}
