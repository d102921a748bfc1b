import CDNNL

/// The process-wide oneDNN CPU engine. Created on first use and never destroyed.
///
/// `@unchecked Sendable`: oneDNN engines are immutable after creation and may be used from
/// any thread (primitive descriptors, primitives and streams are created against them).
final class OneDNNEngine: @unchecked Sendable {
    let handle: dnnl_engine_t

    private init(handle: dnnl_engine_t) { self.handle = handle }

    private static let created: Result<OneDNNEngine, OneDNNError> = {
        var engine: dnnl_engine_t?
        let status = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard status == dnnl_success, let engine else {
            return .failure(OneDNNError(operation: "creating the CPU engine",
                                        status: String(cString: dnnl_status2str(status))))
        }
        return .success(OneDNNEngine(handle: engine))
    }()

    /// The CPU engine, or the error oneDNN gave when creating it.
    static func cpu() throws -> OneDNNEngine { try created.get() }
}
