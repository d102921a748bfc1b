/// The number format a `PackedLinearLayer` multiplies in. Accumulation and output are float32
/// in both.
///
/// - `bf16`: weights and activations rounded to bfloat16 (8-bit mantissa), products summed in
///   float32 (AVX512-BF16 `vdpbf16ps` where the CPU has it). Relative error of a dot product
///   ≈ 2⁻⁹·√k-ish in practice; about 3e-3 on random data.
/// - `int8`: ONNX Runtime `quantize_dynamic`-style. Weights: signed 8-bit, symmetric, one scale
///   per output channel (`max|w| / 127`), quantized once at load. Activations: unsigned 8-bit
///   with a zero point, one scale per call from the call's own min/max (range widened to hold 0).
///   Products summed in int32 (AVX512-VNNI `vpdpbusd`), then rescaled to float32.
public enum ReducedPrecisionFormat: String, Sendable, CaseIterable {
    case bf16
    case int8
}
