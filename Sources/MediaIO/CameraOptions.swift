/// What to ask of a camera when opening it as a `CameraSource`.
public struct CameraOptions: Sendable, Equatable {
    /// Frame size wanted; the nearest size the device offers is used when it is not offered exactly
    /// (with a notice in `CameraSource.warnings`). nil keeps the device's current size.
    public var size: CameraSize?
    /// Frames per second wanted; the nearest offered rate is used when not exact (with a notice).
    /// nil keeps the device's current rate.
    public var frameRate: Double?
    /// Seconds without a frame after which capture gives up with `CameraError.stalled`.
    public var stallTimeout: Double
    /// Number of memory-mapped driver buffers (the driver may grant more or fewer).
    public var bufferCount: Int

    public init(size: CameraSize? = CameraSize(width: 640, height: 480), frameRate: Double? = 30,
                stallTimeout: Double = 10, bufferCount: Int = 4) {
        self.size = size
        self.frameRate = frameRate
        self.stallTimeout = stallTimeout
        self.bufferCount = bufferCount
    }
}
