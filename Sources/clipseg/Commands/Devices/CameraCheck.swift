import Foundation
import MediaIO
import StreamKit
import VideoFrames

/// `clipseg devices --test`: captures frames from one camera on a dedicated thread (never the
/// cooperative pool), optionally saving them as PPM images, and measures the frame rate.
struct CameraCheck: Sendable {
    var device: String
    var options: CameraOptions
    var frameCount: Int
    /// Folder for `frame-000000.ppm`, … (created when missing), or nil.
    var saveFolder: String?

    /// What a check saw.
    struct Report: Sendable {
        var info: SourceInfo
        var frames: Int
        /// Camera timestamp of the last frame (the first is 0).
        var lastTimestamp: Double
        var wallSeconds: Double
        var skippedByDevice: Int
        /// True when the stream ended (disconnect) before `frameCount` frames.
        var endedEarly: Bool
    }

    /// Runs the capture on its own thread. `onWarning` hears notices, stalls and the disconnect as they happen.
    func run(onWarning: @escaping @Sendable (String) -> Void) async throws -> Report {
        try await DedicatedThread.run(name: "clipseg camera check") { try capture(onWarning: onWarning) }
    }

    private func capture(onWarning: @escaping @Sendable (String) -> Void) throws -> Report {
        if let saveFolder {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: saveFolder, isDirectory: &isFolder), !isFolder.boolValue {
                throw CameraCheckError.cannotSave(saveFolder, reason: "not a folder")
            }
            do {
                try FileManager.default.createDirectory(atPath: saveFolder, withIntermediateDirectories: true)
            } catch {
                throw CameraCheckError.cannotSave(saveFolder, reason: CameraCheck.reason(error))
            }
        }
        let source = try CameraSource(device: device, options: options, onWarning: onWarning)
        defer { source.close() }
        let start = Date()
        var frames = 0
        var lastTimestamp = 0.0
        while frames < frameCount, let frame = try source.nextFrame() {
            if let saveFolder {
                let name = String(format: "frame-%06d.ppm", frame.index)
                try save(frame, to: URL(fileURLWithPath: saveFolder).appendingPathComponent(name))
            }
            frames += 1
            lastTimestamp = frame.timestamp
        }
        return Report(info: source.info, frames: frames, lastTimestamp: lastTimestamp,
                      wallSeconds: Date().timeIntervalSince(start), skippedByDevice: source.skippedFrames,
                      endedEarly: frames < frameCount)
    }

    /// Binary PPM (P6): a header, then the RGB24 bytes as they are.
    private func save(_ frame: RGBFrame, to url: URL) throws {
        var data = Data("P6\n\(frame.width) \(frame.height)\n255\n".utf8)
        data.append(contentsOf: frame.pixels)
        do {
            try data.write(to: url)
        } catch {
            throw CameraCheckError.cannotSave(url.path, reason: CameraCheck.reason(error))
        }
    }

    /// The system's words for a Foundation file error (`Permission denied`), else its description.
    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }
}

/// A failure of `clipseg devices --test` that is not the camera's.
enum CameraCheckError: Error, CustomStringConvertible {
    case cannotSave(String, reason: String)
    case noCamera

    var description: String {
        switch self {
        case .cannotSave(let path, let reason): return "\(path): cannot write (\(reason))"
        case .noCamera: return "no camera to test (no /dev/video* capture device); name one"
        }
    }
}
