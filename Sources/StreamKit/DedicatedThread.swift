import Foundation

/// Blocking work (model loading, decoding, opening devices and files) run on a new thread of its own,
/// awaited from async code, so it never occupies Swift's cooperative pool (two threads on two cores).
enum DedicatedThread {
    /// Runs `body` on a new thread named `name` (8 MiB of stack) and returns its result.
    static func run<Value: Sendable>(name: String, _ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
