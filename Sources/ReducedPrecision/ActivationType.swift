import CDNNL

/// The number format of activations (layer inputs and outputs) a oneDNN call reads or writes.
///
/// `.bf16` buffers hold bfloat16 bit patterns, one `UInt16` per element (the upper half of the
/// float32 it was rounded from, ties to even); they are what a bf16 matmul reads, so a layer that
/// writes bf16 for the next one to read saves both a float32 write and a conversion pass.
public enum ActivationType: Sendable, Hashable {
    case float32
    case bf16

    /// oneDNN's data type for this format.
    var dnnlType: dnnl_data_type_t {
        switch self {
        case .float32: dnnl_f32
        case .bf16: dnnl_bf16
        }
    }

    /// Bytes one element takes.
    var byteCount: Int {
        switch self {
        case .float32: 4
        case .bf16: 2
        }
    }
}
