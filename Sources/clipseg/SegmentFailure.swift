/// A `clipseg segment` failure, printed as `Error: <description>` with exit status 1.
struct SegmentFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
