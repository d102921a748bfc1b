import MediaIO
import Pipeline
import PreviewServer
import VideoFrames

/// The live preview (`--preview`): hands each composed picture to the preview server's latest-wins exchange
/// and returns at once (no encoding here, no waiting for viewers), so the sink thread never slows down. The
/// server encodes the newest picture with MediaIO's `JPEGEncoder` on its own thread, only while someone watches.
/// `finish()` stops the server.
final class PreviewFrameSink: FrameSink {
    let server: PreviewServer

    /// Starts listening at `address` (fails here when the address cannot be used) and prints the page's address
    /// (and, off loopback, a warning) on standard error, also with `--quiet`. Serving starts with the run (`SegmentSession`).
    init(address: PreviewAddress, maximumViewers: Int) throws {
        var encoder: JPEGEncoder?
        server = try PreviewServer(address: address, maximumViewers: maximumViewers) { picture in
            if encoder?.width != picture.width || encoder?.height != picture.height {
                encoder = try JPEGEncoder(width: picture.width, height: picture.height, name: "--preview")
            }
            return try encoder!.encode(picture.pixels)
        }
        if server.tokenForEveryRequest {
            StandardError.write("warning: --preview \(address) can be reached from other machines; every request "
                                + "needs the token in this address")
        }
        // Printed even with --quiet: the page's controls need the token in this address.
        StandardError.write("clipseg: preview at \(server.url)")
    }

    var name: String { "preview" }
    var needs: SinkNeeds { .picture }
    var warnings: [String] {
        server.frames.figures.failure.map { ["--preview stopped showing video: \($0)"] } ?? []
    }

    func write(_ frame: ComposedFrame) throws {
        if let picture = frame.picture { server.frames.offer(picture) }
    }

    func finish() throws { server.stop() }
}
