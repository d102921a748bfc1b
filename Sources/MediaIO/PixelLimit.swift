/// The largest picture, in pixels (width × height), that inputs are decoded at: a video's frames, a still
/// image, an image prompt or background. Checked from the stream parameters FFmpeg reads when it opens the
/// input, before the first picture is decoded (`MediaError.tooManyPixels`), and for every decoded picture
/// before it is converted into memory of ours (a stream may change size).
public enum PixelLimit {
    /// 120 megapixels unless the caller raises it: above the largest camera pictures (about 102 MP,
    /// medium-format backs) and 8K video (33 MP), while one RGB24 copy of such a picture is still only
    /// 360 MB. FFmpeg's own check (`av_image_check_size`) lets through about twice as much,
    /// (width + 128) × (height + 128) < 2³¹ / 8, which leaves a run holding a dozen such frames at once
    /// well beyond most machines.
    public static let defaultMaximum = 120_000_000

    /// Throws `MediaError.tooManyPixels` naming `name` when `width × height` exceeds `maximum`.
    static func check(width: Int, height: Int, maximum: Int, name: String) throws {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maximum {
            throw MediaError.tooManyPixels(name, width: width, height: height, limit: maximum)
        }
    }
}
