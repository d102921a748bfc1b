import ArgumentParser
import MediaIO

/// `--size 640x480` on the command line.
extension CameraSize: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }
}
