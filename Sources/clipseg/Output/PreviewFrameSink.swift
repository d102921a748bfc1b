import MaskRender
import MediaIO
import Pipeline
import PreviewServer
import VideoFrames

/// The live preview (`--preview`): hands each composed picture, and its masks as a grey picture, to the preview
/// server's latest-wins exchanges and returns at once (no encoding here, no waiting for viewers), so the sink
/// thread never slows down. The server encodes the newest picture with MediaIO's `JPEGEncoder` on its own
/// thread, only while someone watches; the grey mask picture is not even made while nobody watches it.
/// `finish()` stops the server.
final class PreviewFrameSink: FrameSink {
    let server: PreviewServer
    private let maskLayout: MaskLayout

    /// Starts listening at `address` (fails here when the address cannot be used) and prints the page's address
    /// (and, off loopback, a warning) on standard error, also with `--quiet`. Serving starts with the run
    /// (`SegmentSession`). `maskLayout` is how the compose stage lays out the mask planes (`--mask-layout`).
    init(address: PreviewAddress, maximumViewers: Int, maskLayout: MaskLayout) throws {
        self.maskLayout = maskLayout
        server = try PreviewServer(address: address, maximumViewers: maximumViewers) {
            var encoder: JPEGEncoder?
            return { picture in
                if encoder?.width != picture.width || encoder?.height != picture.height {
                    encoder = try JPEGEncoder(width: picture.width, height: picture.height, name: "--preview")
                }
                return try encoder!.encode(picture.pixels)
            }
        }
        if server.tokenForEveryRequest {
            StandardError.write("warning: --preview \(address) can be reached from other machines; every request "
                                + "needs the token in this address")
        }
        // Printed even with --quiet: the page's controls need the token in this address.
        // The token in the address is the run's own, made for the user: shown whole (other lines hide tokens).
        StandardError.writeWithoutRedaction("clipseg: preview at \(server.url)")
    }

    var name: String { "preview" }
    var needs: SinkNeeds { [.picture, .masks] }
    var warnings: [String] {
        (server.frames.figures.failure ?? server.masks.figures.failure).map { ["--preview stopped showing video: \($0)"] } ?? []
    }

    func write(_ frame: ComposedFrame) throws {
        guard let picture = frame.picture else { return }
        server.frames.offer(picture)
        if server.masks.isWatched, let mask = Self.greyMask(frame.maskPlanes, layout: maskLayout) {
            var pixels = [UInt8](repeating: 0, count: mask.count * 3)
            for (index, value) in mask.enumerated() {
                pixels[3 * index] = value
                pixels[3 * index + 1] = value
                pixels[3 * index + 2] = value
            }
            server.masks.offer(RGBFrame(width: picture.width, height: picture.height, pixels: pixels,
                                        timestamp: picture.timestamp, index: picture.index))
        }
    }

    /// One grey plane for the mask view: the union as it is, a label map's prompts all white, a stack's planes
    /// merged by maximum; nil when there is no mask plane.
    static func greyMask(_ planes: [[UInt8]], layout: MaskLayout) -> [UInt8]? {
        guard var mask = planes.first else { return nil }
        switch layout {
        case .union:
            break
        case .labels:
            for index in mask.indices where mask[index] != 0 { mask[index] = 255 }
        case .stack:
            for plane in planes.dropFirst() {
                for index in mask.indices { mask[index] = max(mask[index], plane[index]) }
            }
        }
        return mask
    }

    func finish() throws { server.stop() }
}
