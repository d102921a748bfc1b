import CDNNL
import Foundation

/// A oneDNN call that did not succeed: which step failed and oneDNN's status name
/// (`unimplemented`, `out_of_memory`, ...).
public struct OneDNNError: Error, LocalizedError, Equatable, Sendable {
    /// What was being done, e.g. "creating the bf16 matmul for 37 rows".
    public let operation: String
    /// oneDNN's status name (`dnnl_status2str`).
    public let status: String

    public init(operation: String, status: String) {
        self.operation = operation
        self.status = status
    }

    public var errorDescription: String? { "oneDNN failed \(operation): \(status)" }
}

/// Throws a `OneDNNError` unless `status` is `dnnl_success`.
@inline(__always)
func checkDNNL(_ status: dnnl_status_t, _ operation: @autoclosure () -> String) throws {
    if status != dnnl_success {
        var name = String(cString: dnnl_status2str(status))
        if status == dnnl_unimplemented {
            name += " on this CPU (oneDNN \(OneDNNRuntime.version) dispatches to \(OneDNNRuntime.instructionSet))"
        }
        throw OneDNNError(operation: operation(), status: name)
    }
}
