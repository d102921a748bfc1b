import VideoFrames

/// Auto-framing (`--frame TEXT`): a virtual camera that pans and zooms over the frame to follow a region (a
/// prompt's bounding box), smoothly, and crops the picture to it at the output size.
///
/// The target window is the box grown by `margin` on every side, widened or heightened to the output's aspect,
/// at least `minimumSize` of the frame and at most all of it. The window moves toward the target only when the
/// target's centre or size is more than `deadZone` (of the frame's width) away — small wobbles of the mask
/// never move the picture — and then by at most `maximumSpeed` frame widths per second of video. Without a box
/// (nothing found) the window stays where it is. All geometry is in frame pixels.
public struct AutoFraming: Sendable {
    /// The window, `x, y` its top-left corner.
    public struct Window: Sendable, Equatable {
        public var x: Double, y: Double, width: Double, height: Double

        public init(x: Double, y: Double, width: Double, height: Double) {
            (self.x, self.y, self.width, self.height) = (x, y, width, height)
        }
        var centerX: Double { x + width / 2 }
        var centerY: Double { y + height / 2 }
    }

    public var margin = 0.25
    public var deadZone = 0.04
    public var maximumSpeed = 0.6
    public var minimumSize = 0.25
    /// The window now (nil before the first update).
    public private(set) var window: Window?
    private var lastTime: Double?

    public init() {}

    /// Moves the window for a frame of `frameWidth × frameHeight` at `time` (seconds) toward `box`
    /// (`[x, y, width, height]`, nil when the region is not found) and returns it.
    public mutating func update(box: [Int]?, frameWidth: Int, frameHeight: Int, time: Double) -> Window {
        let full = Window(x: 0, y: 0, width: Double(frameWidth), height: Double(frameHeight))
        let elapsed = lastTime.map { max(0, time - $0) } ?? 0
        lastTime = time
        guard var current = window else {
            let first = box.map { target(for: $0, in: full) } ?? full
            window = first
            return first
        }
        guard let box else { return current }
        let goal = target(for: box, in: full)
        let frame = Double(frameWidth)
        let moves = abs(goal.centerX - current.centerX) > deadZone * frame || abs(goal.centerY - current.centerY) > deadZone * frame
            || abs(goal.width - current.width) > deadZone * frame
        guard moves else { return current }
        let step = maximumSpeed * frame * elapsed
        func approach(_ value: Double, _ goal: Double) -> Double { value + max(-step, min(step, goal - value)) }
        let width = approach(current.width, goal.width)
        let height = width * full.height / full.width  // windows keep the frame's aspect
        let centerX = approach(current.centerX, goal.centerX), centerY = approach(current.centerY, goal.centerY)
        current = clamped(Window(x: centerX - width / 2, y: centerY - height / 2, width: width, height: height), in: full)
        window = current
        return current
    }

    /// The box grown by the margin, at the frame's aspect, within the size limits, inside the frame.
    public func target(for box: [Int], in full: Window) -> Window {
        guard box.count == 4 else { return full }
        let aspect = full.width / full.height
        var width = Double(box[2]) * (1 + 2 * margin), height = Double(box[3]) * (1 + 2 * margin)
        if width / height < aspect { width = height * aspect } else { height = width / aspect }
        width = min(full.width, max(full.width * minimumSize, width))
        height = width / aspect
        let centerX = Double(box[0]) + Double(box[2]) / 2, centerY = Double(box[1]) + Double(box[3]) / 2
        return clamped(Window(x: centerX - width / 2, y: centerY - height / 2, width: width, height: height), in: full)
    }

    private func clamped(_ window: Window, in full: Window) -> Window {
        let width = min(window.width, full.width), height = min(window.height, full.height)
        return Window(x: min(max(0, window.x), full.width - width), y: min(max(0, window.y), full.height - height),
                      width: width, height: height)
    }

    /// `picture` cropped to `window` (rounded to whole pixels) and scaled back to the picture's size.
    public static func crop(_ picture: RGBFrame, to window: Window) -> RGBFrame {
        let left = max(0, min(picture.width - 1, Int(window.x.rounded())))
        let top = max(0, min(picture.height - 1, Int(window.y.rounded())))
        let width = max(1, min(picture.width - left, Int(window.width.rounded())))
        let height = max(1, min(picture.height - top, Int(window.height.rounded())))
        if left == 0, top == 0, width == picture.width, height == picture.height { return picture }
        var cropped = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            let source = ((top + row) * picture.width + left) * 3
            cropped.replaceSubrange((row * width * 3)..<((row + 1) * width * 3), with: picture.pixels[source..<(source + width * 3)])
        }
        let part = RGBFrame(width: width, height: height, pixels: cropped, timestamp: picture.timestamp, index: picture.index)
        return RGBFrame(width: picture.width, height: picture.height,
                        pixels: Background.stretch(part, width: picture.width, height: picture.height),
                        timestamp: picture.timestamp, index: picture.index)
    }
}
