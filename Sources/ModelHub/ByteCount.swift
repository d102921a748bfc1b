import Foundation

/// Byte counts for people: `603.1 MB`, `12.0 kB`, `512 B` (powers of 1000, as the hub shows sizes).
public enum ByteCount {
    public static func text(_ bytes: Int64) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return "\(bytes) B"
    }
}
