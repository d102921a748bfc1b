/// What a V4L2 device node is and which formats, sizes and frame rates it offers, as listed by
/// `clipseg devices`. Built by `CameraDevice.describe(_:)`.
public struct CameraDeviceInfo: Sendable, Equatable {
    /// The path as given (`/dev/video0`).
    public var path: String
    /// The device's name (`HD Pro Webcam C920`).
    public var card: String
    /// Kernel driver (`uvcvideo`).
    public var driver: String
    /// Where it is attached (`usb-0000:00:14.0-1`).
    public var busInfo: String
    /// What the node does: `video capture`, or e.g. `metadata` for the second node of a UVC camera.
    public var kind: String
    /// True for nodes `CameraSource` can read (video capture with streaming).
    public var canCapture: Bool
    /// The formats the hardware delivers (not those libv4l2 converts to), in the driver's order;
    /// empty when the node cannot capture.
    public var formats: [CameraPixelFormat]

    public init(path: String, card: String, driver: String, busInfo: String, kind: String, canCapture: Bool,
                formats: [CameraPixelFormat]) {
        self.path = path
        self.card = card
        self.driver = driver
        self.busInfo = busInfo
        self.kind = kind
        self.canCapture = canCapture
        self.formats = formats
    }
}

/// One pixel format a device offers, with its frame sizes.
public struct CameraPixelFormat: Sendable, Equatable {
    /// Four-character code: `YUYV`, `MJPG`.
    public var fourCC: String
    /// The driver's description: `YUYV 4:2:2`, `Motion-JPEG`.
    public var description: String
    public var isCompressed: Bool
    public var sizes: [CameraSizeOption]

    public init(fourCC: String, description: String, isCompressed: Bool, sizes: [CameraSizeOption]) {
        self.fourCC = fourCC
        self.description = description
        self.isCompressed = isCompressed
        self.sizes = sizes
    }
}

/// A frame size a device offers (one size, or a range), with the frame rates at that size.
public enum CameraSizeOption: Sendable, Equatable {
    case discrete(CameraSize, frameRates: CameraFrameRates)
    /// Any size from `min` to `max` in steps of `step`; `frameRates` are those at `max`.
    case range(min: CameraSize, max: CameraSize, step: CameraSize, frameRates: CameraFrameRates)

    public var frameRates: CameraFrameRates {
        switch self {
        case .discrete(_, let rates), .range(_, _, _, let rates): return rates
        }
    }
}

/// Frame rates (frames per second) a device offers at one size.
public enum CameraFrameRates: Sendable, Equatable {
    /// Distinct rates, in the driver's order (usually fastest first).
    case discrete([Double])
    /// Any rate from `min` to `max`.
    case range(min: Double, max: Double)
    /// The driver does not enumerate frame intervals.
    case unknown
}
