import Foundation

/// Wall-clock timing of several methods taking turns.
enum Timing {
    /// Median seconds per call of each method; every round runs each method once, in turn.
    static func interleavedMedians(_ methods: [() throws -> Void], rounds: Int, warmUp: Int) -> [Double] {
        var samples = [[Double]](repeating: [], count: methods.count)
        for round in 0..<(warmUp + rounds) {
            for (index, method) in methods.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                do { try method() } catch { fail("\(error.localizedDescription)") }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if round >= warmUp { samples[index].append(seconds) }
            }
        }
        return samples.map { $0.sorted()[$0.count / 2] }
    }
}

/// Unbuffered writes to the standard streams.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
