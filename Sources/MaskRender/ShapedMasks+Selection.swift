extension ShapedMasks {
    /// The masks of the prompts at `indices` only (in that order), with their own union: what the `--mode`
    /// rendering uses when other prompts have effects of their own. Copies the selected planes.
    public func selecting(_ indices: [Int]) -> ShapedMasks {
        let plane = planeSize
        var probabilities: [Float] = [], masks: [UInt8] = []
        probabilities.reserveCapacity(indices.count * plane)
        masks.reserveCapacity(indices.count * plane)
        var union = [UInt8](repeating: 0, count: plane)
        for index in indices {
            probabilities += probabilityPlane(index)
            let mask = maskPlane(index)
            masks += mask
            for (i, value) in zip(union.indices, mask) where value > union[i] { union[i] = value }
        }
        return ShapedMasks(width: width, height: height, promptCount: indices.count, threshold: threshold,
                           probabilities: probabilities, masks: masks, union: union)
    }
}
