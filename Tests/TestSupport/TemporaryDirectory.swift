import Foundation

/// A fresh folder under the system temporary directory, removed by `remove()` (call it in a `defer`).
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "clipseg-test") throws {
        let name = "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `url/name`.
    public func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
